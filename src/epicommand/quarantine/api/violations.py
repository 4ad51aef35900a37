"""/api/v1/quarantine/violations: record (multipart, with a photo), refer to public
security, close with an outcome, list and read. A violation is the person's record,
scoped by the person's region: another district's is 404, its photo too. Reading one and
opening its photo are audited. See docs/api-guide.md "Quarantine monitoring, tests and
violations"."""

from datetime import datetime
from typing import Literal

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.keyset import MAX_ID
from epicommand.people import lookup
from epicommand.people.models import Person

from ..models import Stay, Violation
from ..queries import violations as queries
from ..services import violations as services

router = Router(tags=["quarantine violations"])

KindCode = Literal[tuple(Violation.Kind.values)]
StatusCode = Literal[tuple(Violation.Status.values)]
KIND_FIELD = Form(...)
OCCURRED_AT = Form(None, description="now if omitted")
STAY_ID = Form(None, ge=1, le=MAX_ID, description="the person's current stay if omitted")
PHOTO = File(None, description="JPEG, PNG, GIF or WebP, at most 5 MB")


class ViolationItem(Schema):
    """A list row: the person's ID number masked."""

    id: int
    kind: str
    status: str = Field(description="recorded, referred or closed")
    person_id: int
    person_name: str = Field(
        description="masked when the person now lives outside your jurisdiction"
    )
    masked_id: str = Field(alias="person.masked_id")
    masked: bool = Field(description="the person lives outside your jurisdiction")
    region_code: str = Field(alias="region_id", description="the person's region")
    occurred_at: datetime
    recorded_at: datetime
    has_photo: bool
    referred_to: str | None = Field(description="the public security bureau")

    @staticmethod
    def resolve_person_name(obj, context) -> str:
        return lookup.as_seen_by(context["request"].auth, obj.person).name

    @staticmethod
    def resolve_masked(obj, context) -> bool:
        return lookup.as_seen_by(context["request"].auth, obj.person).masked

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_referred_to(obj) -> str | None:
        return obj.referred_to.name if obj.referred_to_id else None


class ViolationOut(ViolationItem):
    stay_id: int | None
    description: str
    referred_at: datetime | None
    outcome: str
    closed_at: datetime | None
    recorded_by: str = Field(description="user name of who recorded it")

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.recorded_by.username


class ViolationPage(Schema):
    items: list[ViolationItem]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class ReferIn(Schema):
    note: str = Field("", max_length=500)


class CloseIn(Schema):
    outcome: str = Field(max_length=5000, description="a warning, a fine, a detention, no case")


def _visible(who, violation_id: int) -> Violation:
    require(who, Capability.VIEW_VIOLATIONS)
    return queries.visible_violation(who, violation_id)


@router.post("", response={201: ViolationOut, **ERRORS}, summary="Record a violation")
def record_violation(
    request,
    person_id: int = Form(..., ge=1, le=MAX_ID),
    kind: KindCode = KIND_FIELD,
    description: str = Form(..., max_length=5000),
    occurred_at: datetime | None = OCCURRED_AT,
    stay_id: int | None = STAY_ID,
    photo: UploadedFile | None = PHOTO,
):
    """multipart/form-data. The person must live in your jurisdiction (else 404). A photo
    that is no image, or over 5 MB, is refused naming `photo`."""
    require(request.auth, Capability.RECORD_VIOLATIONS)
    person = get_object_or_404(Person.objects.visible_to(request.auth), pk=person_id)
    stay = None
    if stay_id is not None:
        stay = get_object_or_404(Stay.objects.filter(person=person), pk=stay_id)
    if occurred_at is not None and timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    violation = services.record_violation(
        request.auth,
        person,
        kind=kind,
        description=description,
        occurred_at=occurred_at,
        photo=photo,
        stay=stay,
    )
    return Status(201, queries.visible_violation(request.auth, violation.pk))


@router.get("", response={200: ViolationPage, **ERRORS}, summary="List violations")
def list_violations(
    request,
    status: StatusCode | None = None,
    kind: KindCode | None = None,
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Violations of persons in your jurisdiction, newest first."""
    require(request.auth, Capability.VIEW_VIOLATIONS)
    rows, next_after = queries.violation_page(
        request.auth,
        status=status or "",
        kind=kind or "",
        region=region or "",
        after=after,
        limit=limit,
    )
    return {"items": rows, "next_after": next_after}


@router.get("/{violation_id}", response={200: ViolationOut, **ERRORS}, summary="One violation")
def get_violation(request, violation_id: int = Path(..., ge=1, le=MAX_ID)):
    """The violation in full. Audited."""
    violation = _visible(request.auth, violation_id)
    services.note_violation_viewed(request.auth, violation, channel="api")
    return violation


@router.get(
    "/{violation_id}/photo",
    response={200: None, **ERRORS},
    summary="The violation's photo",
    openapi_extra={"responses": {200: {"content": {"image/*": {}}}}},
)
def get_photo(request, violation_id: int = Path(..., ge=1, le=MAX_ID)):
    """The photo evidence, served only here (never from a public address). Audited."""
    violation = _visible(request.auth, violation_id)
    if not violation.photo:
        return Status(404, {"detail": "this violation has no photo", "errors": []})
    services.note_photo_opened(request.auth, violation, channel="api")
    response = FileResponse(violation.photo.open("rb"), filename=services.photo_name(violation))
    response["Cache-Control"] = "no-store, private"
    return response


@router.post(
    "/{violation_id}/refer", response={200: ViolationOut, **ERRORS}, summary="Refer to police"
)
def refer_violation(request, payload: ReferIn, violation_id: int = Path(..., ge=1, le=MAX_ID)):
    """Refer to the public security bureau of the person's county, who are notified."""
    require(request.auth, Capability.RECORD_VIOLATIONS)
    violation = _visible(request.auth, violation_id)
    services.refer_violation(request.auth, violation, note=payload.note)
    return queries.visible_violation(request.auth, violation_id)


@router.post(
    "/{violation_id}/close", response={200: ViolationOut, **ERRORS}, summary="Close with outcome"
)
def close_violation(request, payload: CloseIn, violation_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, Capability.RECORD_VIOLATIONS)
    violation = _visible(request.auth, violation_id)
    services.close_violation(request.auth, violation, outcome=payload.outcome)
    return queries.visible_violation(request.auth, violation_id)
