"""/api/v1/quarantine/stays: assigning persons to quarantine (one, or a batch of up to
5,000 to one site), the closed-loop transfer, release from the site and from home
monitoring, transfer to a designated hospital. Stays are read through the site's region
or the person's (quarantine.queries.stays_visible_to): another district's stay is 404.
Lists show masked identities; one stay's detail shows the person in full and is audited."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import (
    BATCH_ERRORS,
    ERRORS,
    BatchItemOut,
    BatchOut,
    batch_response,
    region_filter,
)
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name
from epicommand.people import lookup
from epicommand.people.models import Person

from ..models import Stay, StayTest
from ..queries import sites as queries
from ..services import releases, stay_batches
from ..services import stays as services

router = Router(tags=["quarantine stays"])

C = Capability
STAY_ID = Path(..., ge=1, le=MAX_ID)
ID_NUMBER = r"^[0-9]{17}[0-9Xx]$"
STATUS_FILTER = "^(" + "|".join(queries.STATUS_FILTERS) + ")$"
TIME = "ISO 8601; without an offset it is Asia/Shanghai time"
ENDING_ON = Query(None, description="the centralized part ends that day")
REASON = Literal["close_contact", "secondary_contact", "inbound", "high_risk_area"]


class StayOut(Schema):
    """A stay as lists show it: the person masked."""

    id: int
    person_id: int
    masked_name: str
    masked_id: str
    reason: str
    status: str
    site_id: int | None
    site_name: str | None
    room_id: int | None
    room: str | None
    region_code: str = Field(alias="region_id")
    edition: str
    started_at: datetime
    planned_site_end: date
    planned_home_end: date
    day_of_stay: int
    days_remaining: int | None = Field(description="of the part in progress; null once ended")
    pickup_address: str
    vehicle: str
    pickup_at: datetime | None
    arrived_at: datetime | None
    left_site_at: datetime | None
    released_at: datetime | None

    @staticmethod
    def resolve_masked_name(stay) -> str:
        return mask_name(stay.person.name)

    @staticmethod
    def resolve_masked_id(stay) -> str:
        return stay.person.masked_id

    @staticmethod
    def resolve_site_name(stay) -> str | None:
        return stay.site.name if stay.site_id else None

    @staticmethod
    def resolve_room(stay) -> str | None:
        return str(stay.room) if stay.room_id else None

    @staticmethod
    def resolve_day_of_stay(stay) -> int:
        return services.day_of_stay(stay)

    @staticmethod
    def resolve_days_remaining(stay) -> int | None:
        return services.days_remaining(stay)


class StayPage(Schema):
    items: list[StayOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class StayTestOut(Schema):
    id: int
    phase: str = Field(description="site, release or home")
    day: int
    due_on: date
    result: str
    sampled_at: datetime | None
    reagent: str
    resulted_at: datetime | None


class ProblemOut(Schema):
    field: str
    message: str


class StayPersonOut(Schema):
    id: int
    name: str
    id_number: str | None
    passport_number: str
    phone: str
    region_code: str = Field(alias="region_id")
    masked: bool = Field(
        description="the person lives outside your jurisdiction: name, numbers and phone masked"
    )


class StayDetailOut(Schema):
    stay: StayOut
    person: StayPersonOut
    tests: list[StayTestOut]
    release_problems: list[ProblemOut] = Field(
        description="why the person may not leave the site (or home monitoring) yet; empty: may"
    )


class StayIn(Schema):
    person_id: int | None = Field(None, ge=1, le=MAX_ID, description="a person you may see")
    id_number: str | None = Field(
        None, pattern=ID_NUMBER, description="or the person's national ID number"
    )
    reason: Stay.Reason
    site_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="none for a stay at home (when the plan has no site days)",
    )
    room_id: int | None = Field(None, ge=1, le=MAX_ID, description="default: the first free room")
    started_at: datetime | None = Field(None, description=f"day 1 of the plan; {TIME}")
    pickup_address: str = Field("", max_length=200)
    vehicle: str = Field("", max_length=30)
    pickup_at: datetime | None = Field(None, description=TIME)
    arrived_at: datetime | None = Field(None, description=f"already arrived; {TIME}")


class StayBatchItemIn(Schema):
    """One person. Identify them by `person_id` or `id_number`."""

    client_id: str = Field(
        description="Your own id for this item, 1 to 64 letters, digits or . _ : -, unique "
        "across everything you send: a retried batch with the same ids adds nothing."
    )
    person_id: int | None = None
    id_number: str | None = None
    reason: REASON
    started_at: datetime | None = Field(None, description=f"{TIME}; up to 2 days ahead")
    pickup_address: str = Field("", max_length=200)
    vehicle: str = Field("", max_length=30)
    pickup_at: datetime | None = Field(None, description=f"{TIME}; up to 2 days ahead")
    arrived_at: datetime | None = Field(None, description=TIME)


# The items reach core.intake as sent, so that every error reads `items[3].reason` alike
# and the whole batch is checked in one pass; the document still describes each item.
ITEMS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": stay_batches.MAX_BATCH,
    "items": StayBatchItemIn.model_json_schema(),
    "description": f"1 to {stay_batches.MAX_BATCH:,} persons",
}


class StayBatchIn(Schema):
    site_id: int = Field(ge=1, le=MAX_ID)
    items: Annotated[list[Any], WithJsonSchema(ITEMS_SCHEMA)]


class AssignedOut(BatchItemOut):
    stay_id: int
    person_id: int
    room_id: int
    room: str


class StayBatchOut(BatchOut):
    site_id: int
    items: list[AssignedOut]


class AtIn(Schema):
    at: datetime | None = Field(None, description=f"default now; {TIME}")


class HospitalIn(Schema):
    reason: str = Field("", max_length=500)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _stay_for_change(who, stay_id: int) -> Stay:
    require(who, C.WORK_QUARANTINE)
    return queries.visible_stay(who, stay_id)


def _out(stay_id: int) -> Stay:
    return Stay.objects.select_related("person", "site", "room").get(pk=stay_id)


@router.get("", response={200: StayPage, **ERRORS}, summary="List stays")
def list_stays(
    request,
    status: str = Query(
        "active", pattern=STATUS_FILTER, description="active, centralized, all or a status"
    ),
    site_id: int | None = Query(None, ge=1, le=MAX_ID),
    reason: Stay.Reason | None = None,
    region: str | None = region_filter(),
    id_number: str | None = Query(None, pattern=ID_NUMBER),
    ending_on: date | None = ENDING_ON,
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """Stays of the sites in your jurisdiction and of the persons living there, newest
    first; `region` filters by the site's region."""
    require(request.auth, C.VIEW_QUARANTINE)
    filters = queries.StayFilter(
        status=status,
        site_id=site_id,
        reason=reason.value if reason else "",
        region=region,
        id_number=id_number or "",
        ending_on=ending_on,
    )
    rows, next_after = queries.stay_page(request.auth, filters, after=after, limit=limit)
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: StayOut, **ERRORS}, summary="Assign a person to quarantine")
def assign(request, payload: StayIn):
    """In a room of a site (the first free one if `room_id` is omitted), or at home when the
    plan has no site days (9th-edition secondary contacts: no `site_id`). 422 with the
    reason: an occupied room, a room being cleaned, a person already in a stay."""
    require(request.auth, C.WORK_QUARANTINE)
    if (payload.person_id is None) == (payload.id_number is None):
        raise ValidationError({"person_id": _("give a person_id or an id_number (one of them)")})
    if payload.person_id is not None:
        person = get_object_or_404(Person.objects.visible_to(request.auth), pk=payload.person_id)
    else:
        # Outside jurisdiction: a site receives people from across the city (audited;
        # StayOut is masked).
        person = lookup.find_outside_jurisdiction(
            request.auth, payload.id_number, purpose=lookup.Purpose.QUARANTINE_ADMISSION
        )
        if person is None:
            raise ValidationError({"id_number": _("no person registered with this ID number")})
    site = room = None
    if payload.site_id is not None:
        site = queries.visible_site(request.auth, payload.site_id)
        if payload.room_id is not None:
            room = queries.visible_room(request.auth, site, payload.room_id)
    stay = services.assign_stay(
        request.auth,
        person,
        reason=payload.reason.value,
        site=site,
        room=room,
        started_at=_aware(payload.started_at),
        pickup_address=payload.pickup_address,
        vehicle=payload.vehicle,
        pickup_at=_aware(payload.pickup_at),
        arrived_at=_aware(payload.arrived_at),
    )
    return Status(201, _out(stay.pk))


@router.post(
    "/batch", response={200: StayBatchOut, **BATCH_ERRORS}, summary="Assign a batch to a site"
)
def assign_batch(request, payload: StayBatchIn):
    """Up to 5,000 persons to free rooms of one site, in room order (a household of the
    batch together in a family room where the policy allows), in one transaction, by the
    contract of docs/api-guide.md "Device and lab batches": any bad item (unknown person,
    one already in a stay, not enough free rooms) answers 422 listing every error as
    `items[3].person_id`, and nothing is written; items whose client id is stored already
    are `replayed`."""
    require(request.auth, C.WORK_QUARANTINE)
    site = queries.visible_site(request.auth, payload.site_id)
    return batch_response(stay_batches.assign_batch(request.auth, site, payload.items))


@router.get("/{stay_id}", response={200: StayDetailOut, **ERRORS}, summary="One stay")
def get_stay(request, stay_id: int = STAY_ID):
    """The stay with the person in full (audited) when they live in your jurisdiction,
    masked when a site of yours holds a person of another county; its required tests, and
    what still stands in the way of the release."""
    require(request.auth, C.VIEW_QUARANTINE)
    stay = queries.visible_stay(request.auth, stay_id)
    audit.record(request.auth, "quarantine_stay.view", stay, reason="api")
    if stay.status == Stay.Status.HOME_MONITORING:
        problems = releases.home_release_problems(stay)
    else:
        problems = releases.release_problems(stay)
    return {
        "stay": stay,
        "person": lookup.as_seen_by(request.auth, stay.person),
        "tests": list(StayTest.objects.filter(stay=stay).order_by("due_on", "phase", "id")),
        "release_problems": [{"field": f, "message": m} for f, m in problems],
    }


@router.post("/{stay_id}/arrival", response={200: StayOut, **ERRORS}, summary="Confirm arrival")
def confirm_arrival(request, payload: AtIn, stay_id: int = STAY_ID):
    """The closed-loop transfer ends: the person is at the site."""
    stay = _stay_for_change(request.auth, stay_id)
    services.confirm_arrival(request.auth, stay, at=_aware(payload.at))
    return _out(stay.pk)


@router.post("/{stay_id}/release", response={200: StayOut, **ERRORS}, summary="Release from site")
def release(request, stay_id: int = STAY_ID):
    """When the plan's site days are served and every site and release test is negative:
    to home health monitoring (or released, without home days). Otherwise 422 naming each
    reason (fields `status`, `planned_site_end`, `tests`)."""
    stay = _stay_for_change(request.auth, stay_id)
    releases.release_from_site(request.auth, stay)
    return _out(stay.pk)


@router.post(
    "/{stay_id}/end-home-monitoring",
    response={200: StayOut, **ERRORS},
    summary="End home monitoring",
)
def end_home_monitoring(request, stay_id: int = STAY_ID):
    """When the home days are served and every home test is negative; 422 otherwise."""
    stay = _stay_for_change(request.auth, stay_id)
    releases.end_home_monitoring(request.auth, stay)
    return _out(stay.pk)


@router.post(
    "/{stay_id}/hospital", response={200: StayOut, **ERRORS}, summary="Transfer to a hospital"
)
def to_hospital(request, payload: HospitalIn, stay_id: int = STAY_ID):
    """A positive case goes to a designated hospital; the room goes to cleaning."""
    stay = _stay_for_change(request.auth, stay_id)
    releases.transfer_to_hospital(request.auth, stay, reason=payload.reason)
    return _out(stay.pk)
