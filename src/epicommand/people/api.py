from datetime import date

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from epicommand.core.access import Capability, covers, require
from epicommand.core.api_files import FileJobOut
from epicommand.core.api_schemas import ERRORS, FieldError, region_filter
from epicommand.core.models import FileJob

from . import services
from .file_jobs import export_persons, import_or_queue
from .imports import MAX_LISTED_ERRORS
from .models import Household, Person
from .queries import PAGE_SIZE, search_persons

persons = Router(tags=["persons"])
households = Router(tags=["households"])


class PersonListItem(Schema):
    """A list row: ID number and phone masked (first 6 and last 4 digits shown)."""

    id: int
    name: str
    sex: str
    birth_date: date
    masked_id: str
    masked_phone: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")


class PersonPage(Schema):
    items: list[PersonListItem]
    next_after: str | None = Field(
        description="Opaque cursor: pass it as `after` to get the next page; null on the last."
    )


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: date
    id_number: str | None
    passport_number: str
    nationality: str
    phone: str
    address: str
    region_code: str = Field(alias="region_id")
    household_id: int | None
    workplace_id: int | None


class PersonIn(Schema):
    name: str
    id_number: str | None = None
    passport_number: str = ""
    nationality: str = "CHN"
    sex: str | None = Field(None, description="M or F; derived from the ID number if omitted")
    birth_date: date | None = Field(None, description="derived from the ID number if omitted")
    phone: str = ""
    address: str = ""
    region_code: str
    household_id: int | None = None
    workplace_id: int | None = None


class PersonPatch(Schema):
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    region_code: str | None = None
    household_id: int | None = None
    workplace_id: int | None = None
    reason: str = ""


def _visible_person(who, person_id: int) -> Person:
    require(who, Capability.VIEW_PERSONS)
    return get_object_or_404(Person.objects.visible_to(who), pk=person_id)


def _fields(payload: Schema) -> dict:
    data = payload.dict(exclude_unset=True)
    if "region_code" in data:
        data["region_id"] = data.pop("region_code")
    data.pop("reason", None)
    return data


@persons.get("", response={200: PersonPage, **ERRORS}, summary="Search persons")
def list_persons(
    request,
    q: str = "",
    after: str | None = None,
    limit: int = Query(PAGE_SIZE, ge=1, le=500),
    region: str | None = region_filter(),
):
    """Persons in your scope matching an ID number, a phone number or the start of a name;
    one page ordered by id. Values are masked; fetch one person for the full record."""
    require(request.auth, Capability.VIEW_PERSONS)
    rows, next_after = search_persons(request.auth, q, after=after, limit=limit, region_code=region)
    return {"items": rows, "next_after": next_after}


@persons.get(
    "/export.csv",
    response={200: None, 202: FileJobOut, **ERRORS},
    summary="Export persons as CSV",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def export_persons_route(request, q: str = "", region: str | None = region_filter()):
    """Every person in your scope matching the search, unmasked, as CSV. Audited when asked
    for, before the first row. Up to the policy's `export_inline_rows` the CSV is the
    answer; above it, `202` with a background file job: follow its `status_url` until it is
    `done`, then fetch its `download_url` (yours only, until `expires_at`; audited)."""
    require(request.auth, Capability.EXPORT_PERSONS)
    exported = export_persons(request.auth, q, region)
    if isinstance(exported, FileJob):
        return Status(202, exported)
    response = StreamingHttpResponse(exported, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="persons.csv"'
    return response


class ImportOut(Schema):
    created: int = Field(description="Persons registered.")
    households_created: int = Field(description="New household numbers registered.")


class ImportRowError(FieldError):
    """`field` reads "line 17: id_number" for clients that show every error the same way."""

    line: int | None = Field(
        None,
        description="1-based line of the file; the header is line 1, 0 means the file as a whole.",
    )
    column: str | None = Field(None, description="The column, as named in the header.")


class ImportErrorOut(Schema):
    detail: str
    error_count: int | None = Field(
        None, description=f"Every error found; `errors` lists the first {MAX_LISTED_ERRORS}."
    )
    errors: list[ImportRowError] = []


@persons.post(
    "/import",
    response={201: ImportOut, 202: FileJobOut, **ERRORS, 422: ImportErrorOut},
    summary="Import persons from a CSV or XLSX file",
)
def import_persons_file(request, file: File[UploadedFile]):
    """Registers every row of the file, or none: if any row is wrong, nothing is written
    and each error names its line and column. A .csv file is read as UTF-8 (a byte order
    mark is fine), a .xlsx file from its first sheet. Header columns: name, id_number,
    passport_number, nationality, sex, birth_date (YYYY-MM-DD), phone, region_code, address,
    household (a household number: an existing one is joined, a new one is registered at
    the person's region and address). Bounded by policy (size, rows, columns, cells; an
    XLSX's expanded size): a file past a bound is refused (422) naming it. A file larger
    than the policy's `import_inline_kb` answers `202` with a background file job whose
    `result` holds the outcome (the same errors) once it is `done`."""
    require(request.auth, Capability.IMPORT_PERSONS)
    result = import_or_queue(request.auth, file)
    if isinstance(result, FileJob):
        return Status(202, result)
    if result.error_count:
        return Status(
            422,
            {
                "detail": result.summary,
                "error_count": result.error_count,
                "errors": [_import_error(e) for e in result.errors],
            },
        )
    return Status(201, result)


def _import_error(error) -> dict:
    where = f"line {error.line}: {error.column}" if error.column else f"line {error.line}"
    return {"field": where, "message": error.message, "line": error.line, "column": error.column}


@persons.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="One person")
def get_person(request, person_id: int):
    """The full record of a person in your scope. Every call is audited."""
    person = _visible_person(request.auth, person_id)
    services.note_person_viewed(request.auth, person, channel="api")
    return person


@persons.post("", response={201: PersonOut, **ERRORS}, summary="Register a person")
def create_person(request, payload: PersonIn):
    require(request.auth, Capability.EDIT_PERSONS)
    _check_region_code(request.auth, payload.region_code)
    return Status(201, services.register_person(request.auth, **_fields(payload)))


@persons.patch("/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change a person")
def patch_person(request, person_id: int, payload: PersonPatch):
    require(request.auth, Capability.EDIT_PERSONS)
    person = _visible_person(request.auth, person_id)
    if payload.region_code:
        _check_region_code(request.auth, payload.region_code)
    return services.update_person(request.auth, person, reason=payload.reason, **_fields(payload))


def _check_region_code(who, region_code: str) -> None:
    """A record moved or created outside the caller's scope is a field error (422) naming
    the region field, like the forms say it, not a refusal of the whole request."""
    if not covers(who, region_code):
        raise ValidationError({"region_code": "is outside your jurisdiction"})


class HouseholdOut(Schema):
    id: int
    code: str
    region_code: str = Field(alias="region_id")
    address: str


class HouseholdDetail(HouseholdOut):
    members: list[PersonListItem]


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_after: int | None


class HouseholdIn(Schema):
    code: str
    region_code: str
    address: str


@households.get("", response={200: HouseholdPage, **ERRORS}, summary="Households")
def list_households(
    request,
    region: str | None = region_filter(),
    after: int | None = None,
    limit: int = Query(PAGE_SIZE, ge=1, le=500),
):
    require(request.auth, Capability.VIEW_PERSONS)
    qs = Household.objects.visible_to(request.auth)
    if region:
        qs = qs.in_region(region)
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    return {"items": rows[:limit], "next_after": rows[limit - 1].id if len(rows) > limit else None}


@households.get(
    "/{household_id}",
    response={200: HouseholdDetail, **ERRORS},
    summary="One household with its members (masked)",
)
def get_household(request, household_id: int):
    require(request.auth, Capability.VIEW_PERSONS)
    household = get_object_or_404(Household.objects.visible_to(request.auth), pk=household_id)
    household.members_list = list(household.members.select_related("region").order_by("id"))
    return {
        "id": household.id,
        "code": household.code,
        "region_id": household.region_id,
        "address": household.address,
        "members": household.members_list,
    }


@households.post("", response={201: HouseholdOut, **ERRORS}, summary="Register a household")
def create_household(request, payload: HouseholdIn):
    require(request.auth, Capability.EDIT_PERSONS)
    _check_region_code(request.auth, payload.region_code)
    household = services.register_household(
        request.auth, code=payload.code, region_id=payload.region_code, address=payload.address
    )
    return Status(201, household)
