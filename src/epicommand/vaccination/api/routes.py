"""The vaccination routes. A county's token or user sees its own sites, doses, overdue
series and coverage; another county's site is 404. Doses are recorded from a person's
account (the vaccinator is named), bookings by an employer for its roster. Refusals name
the field (422)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile

from epicommand.core import policy
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, FieldError
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.people import lookup

from .. import queries
from ..models import Site, Slot
from ..services import bookings, doses, rosters

router = Router(tags=["vaccination"])
ID = Path(..., ge=1, le=MAX_ID)


class VaccinationSiteOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")
    address: str
    daily_capacity: int


class VaccinationSlotOut(Schema):
    id: int
    starts_at: datetime
    capacity: int
    booked: int


class DoseIn(Schema):
    document: str = Field(max_length=20, description="ID or passport number")
    product: str = Field(max_length=20, description="a product code of the policy")
    lot: str = Field(max_length=30)
    screening: dict[str, bool] = Field(
        description="every contraindication of the policy, true if present (defers the dose)"
    )
    given_at: datetime | None = Field(None, description="now if omitted")


class DoseOut(Schema):
    id: int
    person_id: int
    product: str
    lot: str
    site_id: int
    dose_number: int
    given_at: datetime
    vaccinator: str

    @staticmethod
    def resolve_vaccinator(obj) -> str:
        return obj.vaccinator.username if obj.vaccinator_id else ""


class StaffBookingIn(Schema):
    slot_id: int = Field(ge=1, le=MAX_ID)
    id_number: str = Field(max_length=18)


class BookingOut(Schema):
    id: int
    slot_id: int
    state: str
    group: str


class DoseSeriesOut(Schema):
    id: int
    name: str
    id_number: str
    product: str
    doses_given: int
    doses_needed: int
    next_from: date | None
    next_by: date | None
    unit_id: int | None
    group: str

    @staticmethod
    def resolve_name(obj) -> str:
        return mask_name(obj.person.name)

    @staticmethod
    def resolve_id_number(obj) -> str:
        return mask_id_number(obj.person.id_number or obj.person.passport_number)


class CoverageRowOut(Schema):
    key: str
    label: str
    rostered: int
    begun: int
    complete: int


class CoverageOut(Schema):
    level: str
    total: CoverageRowOut
    parts: list[CoverageRowOut]
    groups: list[CoverageRowOut]


class RosterOut(Schema):
    created: int = Field(description="new on the roster (the others had their group updated)")


class RosterRowError(FieldError):
    line: int | None = Field(None, description="1-based line; 0 is the file")
    column: str | None = None


class RosterRefusedOut(Schema):
    detail: str
    error_count: int | None = Field(None, description="every error; `errors` lists the first")
    errors: list[RosterRowError] = []


class OverdueQuery(Schema):
    state: str = Field("overdue", pattern="^(overdue|due)$")
    unit: int | None = Field(None, ge=1, le=MAX_ID)
    group: str = Field("", max_length=32)
    after: int | None = Field(None, ge=1, le=MAX_ID)


def _site(who, site_id: int) -> Site:
    require(who, Capability.VIEW_VACCINATION, Capability.VACCINATE)
    return get_object_or_404(Site.objects.visible_to(who), pk=site_id)


@router.get("/sites", response={200: list[VaccinationSiteOut], **ERRORS}, summary="Sites")
def list_sites(request):
    """The sites of your jurisdiction, at most 500."""
    require(request.auth, Capability.VIEW_VACCINATION)
    return list(queries.sites_visible_to(request.auth)[:500])


@router.get(
    "/sites/{site_id}/slots", response={200: list[VaccinationSlotOut], **ERRORS}, summary="Slots"
)
def list_slots(request, site_id: int = ID, day: date | None = None):
    """A site's slots on a Beijing day (today if omitted) with their bookings."""
    site = _site(request.auth, site_id)
    return list(queries.slots_of(site, day or timezone.localdate()))


@router.post("/sites/{site_id}/doses", response={201: DoseOut, **ERRORS}, summary="Record a dose")
def record_dose(request, payload: DoseIn, site_id: int = ID):
    """The site desk records a dose (a person's account: the vaccinator is named)."""
    site = _site(request.auth, site_id)
    data = payload.dict()
    if data["given_at"] is not None and timezone.is_naive(data["given_at"]):
        data["given_at"] = timezone.make_aware(data["given_at"])
    return Status(201, doses.record_dose(request.auth, site, **data))


@router.post("/bookings", response={201: BookingOut, **ERRORS}, summary="Book a staff member")
def book_staff(request, payload: StaffBookingIn):
    """An employer books a member of its roster into a slot; a full slot is 422 (slot)."""
    require(request.auth, Capability.KEEP_ROSTER)
    slot = get_object_or_404(Slot.objects.select_related("site"), pk=payload.slot_id)
    person = lookup.find_outside_jurisdiction(
        request.auth, payload.id_number, purpose=lookup.Purpose.ROSTER
    )
    if person is None:
        raise ValidationError({"id_number": _("no registered person holds this ID number")})
    return Status(201, bookings.book_for_staff(request.auth, slot, person))


@router.get("/overdue", response={200: list[DoseSeriesOut], **ERRORS}, summary="Overdue doses")
def overdue(request, filters: Query[OverdueQuery]):
    """Open series whose next dose is overdue (or due now: state=due), 50 a page, newest
    first; pass the last id as `after`. Names and numbers masked."""
    require(request.auth, Capability.VIEW_VACCINATION)
    return queries.series_page(
        request.auth,
        today=timezone.localdate(),
        state=filters.state,
        unit_id=filters.unit,
        group=filters.group,
        after=filters.after,
    )


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, summary="Coverage")
def coverage(
    request,
    region: str = Query("", max_length=12),
    unit: int | None = Query(None, ge=1, le=MAX_ID),
):
    """Coverage by county (or, for a county, by employer; for an employer, by group)."""
    require(request.auth, Capability.VIEW_VACCINATION)
    return queries.coverage(request.auth, region_code=region, unit_id=unit)


@router.post(
    "/rosters", response={200: RosterOut, **ERRORS, 422: RosterRefusedOut}, summary="Roster"
)
def upload_roster(request, file: File[UploadedFile], unit: int | None = None):
    """An employer's roster (CSV or XLSX: id_number, group, job). All or nothing: 422 lists
    each error with its line and column. An office names the unit (`unit`)."""
    employer = rosters.employer_of(request.auth, unit)
    result = rosters.import_roster(request.auth, employer, file, file.name or "")
    if not result.error_count:
        return Status(200, {"created": result.created})
    errors = [
        {
            "field": f"line {e.line}: {e.column}" if e.column else f"line {e.line}",
            "message": e.message,
            "line": e.line,
            "column": e.column,
        }
        for e in result.errors
    ]
    detail = f"{result.error_count} errors; nothing was imported"
    return Status(422, {"detail": detail, "error_count": result.error_count, "errors": errors})


@router.get("/policy", response={200: dict, **ERRORS}, summary="Groups and products")
def vaccination_policy(request):
    """The key groups, ages, checklist and products of the edition in force."""
    require(request.auth, Capability.VIEW_VACCINATION, Capability.VACCINATE, Capability.KEEP_ROSTER)
    rules = policy.active().vaccination
    return {
        "groups": [{"code": c, "label": str(label)} for c, label in rules.groups],
        "min_age": rules.min_age,
        "max_age": rules.max_age,
        "contraindications": [{"code": c, "label": str(x)} for c, x in rules.contraindications],
        "products": [
            {
                "code": p.code,
                "name": p.name,
                "doses": p.doses,
                "min_interval_days": p.min_interval_days,
                "max_interval_days": p.max_interval_days,
                "may_continue": list(p.may_continue),
            }
            for p in rules.products
        ],
    }
