"""/api/v1/quarantine/monitoring: twice-daily checks (one person, or a whole floor), the
missing checks of a session, the tests due at a site and their samples and results, and
the alerts. Reads start from `visible_to(caller)`: a site, stay or test outside the
caller's jurisdiction is 404. Changes go through quarantine.services.monitoring (audited).
See docs/api-guide.md "Quarantine monitoring, tests and violations"."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, day_filter
from epicommand.core.keyset import MAX_ID
from epicommand.people import lookup

from ..queries import monitoring as queries
from ..services import monitoring as services

router = Router(tags=["quarantine monitoring"])

# A site serves people of every county; only their own county reads them in full.
SEEN_NAME = "the person's name, masked when they live outside your jurisdiction"
SEEN_MASKED = "the person lives outside your jurisdiction: name shown masked"


def _seen(person, context) -> lookup.Shown:
    return lookup.as_seen_by(context["request"].auth, person)


SymptomCode = Literal[tuple(services.SYMPTOMS)]
DAY = day_filter("today (Beijing time) if omitted")


class QuarantineAlertOut(Schema):
    id: int
    kind: str = Field(description="fever, symptoms or positive")
    stay_id: int
    site_id: int | None
    site_name: str | None
    room: str | None
    person_id: int = Field(alias="stay.person_id")
    person_name: str = Field(description=SEEN_NAME)
    masked_id: str = Field(alias="stay.person.masked_id")
    masked: bool = Field(description=SEEN_MASKED)

    @staticmethod
    def resolve_person_name(obj, context) -> str:
        return _seen(obj.stay.person, context).name

    @staticmethod
    def resolve_masked(obj, context) -> bool:
        return _seen(obj.stay.person, context).masked

    region_code: str = Field(alias="region_id")
    at: datetime = Field(description="when the check was taken or the result came")
    detail: str
    created_at: datetime

    @staticmethod
    def resolve_site_name(obj) -> str | None:
        return obj.site.name if obj.site_id else None

    @staticmethod
    def resolve_room(obj) -> str | None:
        return str(obj.stay.room) if obj.stay.room_id else None


class AlertPage(Schema):
    items: list[QuarantineAlertOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class CheckIn(Schema):
    stay_id: int = Field(ge=1, le=MAX_ID)
    temperature: float = Field(description="°C; refused outside 34.0-43.0")
    symptoms: list[SymptomCode] = Field([], max_length=len(services.SYMPTOMS))
    checked_at: datetime | None = Field(
        None, description="now if omitted; without an offset, Asia/Shanghai time"
    )


class CheckOut(Schema):
    id: int
    stay_id: int
    checked_at: datetime
    temperature: Decimal
    symptoms: list[str]
    alert: QuarantineAlertOut | None = Field(description="the alert this check raised, if any")

    @staticmethod
    def resolve_alert(obj):
        return getattr(obj, "alert", None)


class FloorItemIn(Schema):
    stay_id: int = Field(description="the stay of a person in a room on this floor")
    temperature: float = Field(description="°C; refused outside 34.0-43.0")
    symptoms: list[SymptomCode] = []


# Items reach the service as sent, so every error of the floor reads
# `items[3].temperature` alike and the whole floor is checked in one pass.
ITEMS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": queries.FLOOR_LIMIT,
    "items": FloorItemIn.model_json_schema(),
    "description": f"1 to {queries.FLOOR_LIMIT} persons",
}


class FloorIn(Schema):
    site_id: int = Field(ge=1, le=MAX_ID)
    building: str = Field("", max_length=20)
    floor: int = Field(ge=-5, le=200)
    checked_at: datetime | None = Field(None, description="now if omitted")
    items: Annotated[list[Any], WithJsonSchema(ITEMS_SCHEMA)] = Field(
        min_length=1, max_length=queries.FLOOR_LIMIT
    )


class FloorOut(Schema):
    session: str = Field(description="the day and round: 2021-01-12-am or 2021-01-12-pm")
    recorded: list[CheckOut]
    already_checked: list[int] = Field(
        description="stay ids already checked this session: skipped, so a retry adds nothing"
    )


class MissingOut(Schema):
    stay_id: int = Field(alias="pk")
    person_id: int
    person_name: str = Field(description=SEEN_NAME)
    masked_id: str = Field(alias="person.masked_id")
    masked: bool = Field(description=SEEN_MASKED)

    @staticmethod
    def resolve_person_name(obj, context) -> str:
        return _seen(obj.person, context).name

    @staticmethod
    def resolve_masked(obj, context) -> bool:
        return _seen(obj.person, context).masked

    building: str | None
    floor: int | None
    room: str | None

    @staticmethod
    def resolve_building(obj):
        return obj.room.building if obj.room_id else None

    @staticmethod
    def resolve_floor(obj):
        return obj.room.floor if obj.room_id else None

    @staticmethod
    def resolve_room(obj):
        return obj.room.number if obj.room_id else None


class MissingPage(Schema):
    session: str
    items: list[MissingOut]
    more: bool = Field(description=f"more than {queries.MISSING_SHOWN} are missing")


class DueTestOut(Schema):
    id: int
    stay_id: int
    person_id: int = Field(alias="stay.person_id")
    person_name: str = Field(description=SEEN_NAME)
    masked_id: str = Field(alias="stay.person.masked_id")
    masked: bool = Field(description=SEEN_MASKED)

    @staticmethod
    def resolve_person_name(obj, context) -> str:
        return _seen(obj.stay.person, context).name

    @staticmethod
    def resolve_masked(obj, context) -> bool:
        return _seen(obj.stay.person, context).masked

    room: str | None
    phase: str = Field(description="site, release (second sample, other reagent) or home")
    day: int = Field(description="day of the stay; day 1 is the day it began")
    due_on: date
    overdue: bool = Field(description="due before the day asked and not yet sampled")
    result: str = Field(description="pending, sampled, negative, positive or invalid")
    sampled_at: datetime | None
    reagent: str
    resulted_at: datetime | None

    @staticmethod
    def resolve_room(obj):
        return str(obj.stay.room) if obj.stay.room_id else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return getattr(obj, "overdue", False)


class TestPage(Schema):
    items: list[DueTestOut]
    next_after: str | None = Field(description="Opaque cursor for the next page; null on the last.")


class SampleIn(Schema):
    sampled_at: datetime | None = Field(None, description="now if omitted")
    reagent: str = Field("", max_length=60, description="if the site knows it")


class ResultIn(Schema):
    result: Literal["negative", "positive", "invalid"]
    reagent: str = Field(
        "",
        max_length=60,
        description="required for the release test, and different from the site test's",
    )
    at: datetime | None = Field(None, description="when the result came; now if omitted")


class ResultOut(Schema):
    test: DueTestOut
    alert: QuarantineAlertOut | None = Field(description="a positive result's alert")
    resample: DueTestOut | None = Field(description="an invalid result's re-sample, the next day")
    transferred: bool = Field(description="the stay was sent to a designated hospital")
    note: str = Field(description="what happens to the stay after a positive result")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)  # Asia/Shanghai, the platform's time
    return value


@router.post("/checks", response={201: CheckOut, **ERRORS}, summary="Record one check")
def record_check(request, payload: CheckIn):
    """One person's temperature and symptoms. Fever (at or above the edition's threshold)
    or a respiratory symptom raises an alert to the site's unit and the county's CDC.
    Needs a person's account (the check names who took it)."""
    require(request.auth, Capability.WORK_QUARANTINE)
    stay = queries.visible_stay(request.auth, payload.stay_id)
    check = services.record_check(
        request.auth,
        stay,
        temperature=payload.temperature,
        symptoms=payload.symptoms,
        checked_at=_aware(payload.checked_at),
    )
    return Status(201, check)


@router.post("/floors", response={201: FloorOut, **ERRORS}, summary="Record a whole floor")
def record_floor(request, payload: FloorIn):
    """Everyone's check on one floor of a site at once: validated whole, so any bad item
    refuses the floor and the 422 answer lists every error as `items[3].temperature`.
    Persons already checked this session are skipped and listed."""
    require(request.auth, Capability.WORK_QUARANTINE)
    site = queries.visible_site(request.auth, payload.site_id)
    at = _aware(payload.checked_at)
    result = services.record_floor(
        request.auth, site, payload.building, payload.floor, payload.items, checked_at=at
    )
    return Status(
        201,
        {
            "session": queries.session_at(at).key,
            "recorded": result.recorded,
            "already_checked": result.skipped,
        },
    )


@router.get(
    "/sites/{site_id}/missing",
    response={200: MissingPage, **ERRORS},
    summary="Persons not yet checked this session",
)
def missing_checks(request, site_id: int = Path(..., ge=1, le=MAX_ID)):
    """Persons in the site without a check in the current session (morning before 12:00
    Beijing time, afternoon after), by room."""
    require(request.auth, Capability.VIEW_QUARANTINE)
    site = queries.visible_site(request.auth, site_id)
    session = queries.session_at()
    rows, more = queries.missing_checks(site, session)
    return {"session": session.key, "items": rows, "more": more}


@router.get(
    "/sites/{site_id}/tests-due",
    response={200: TestPage, **ERRORS},
    summary="The site's tests due on a day",
)
def tests_due(
    request,
    site_id: int = Path(..., ge=1, le=MAX_ID),
    day: date | None = DAY,
    after: str | None = Query(None, max_length=40, pattern=r"^[0-9:-]+$"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """The sampling list: every test due on `day`, and the overdue ones (due before and
    not yet sampled) first."""
    require(request.auth, Capability.VIEW_QUARANTINE)
    site = queries.visible_site(request.auth, site_id)
    rows, next_after = queries.tests_due(
        site, day or timezone.localdate(), after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.post(
    "/tests/{test_id}/sample", response={200: DueTestOut, **ERRORS}, summary="Record a sample"
)
def record_sample(request, payload: SampleIn, test_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, Capability.WORK_QUARANTINE)
    test = queries.visible_test(request.auth, test_id)
    return services.record_sample(request.auth, test, _aware(payload.sampled_at), payload.reagent)


@router.post(
    "/tests/{test_id}/result", response={200: ResultOut, **ERRORS}, summary="Record a result"
)
def record_result(request, payload: ResultIn, test_id: int = Path(..., ge=1, le=MAX_ID)):
    """A required test's result. Positive: an alert, and the stay goes to a designated
    hospital. Invalid: a re-sample due the next day. The release test of "double sample,
    double test" needs a reagent other than the same day's site test. Sending the same
    result again changes nothing."""
    require(request.auth, Capability.WORK_QUARANTINE)
    test = queries.visible_test(request.auth, test_id)
    test = services.record_test_result(
        test,
        payload.result,
        reagent=payload.reagent,
        at=_aware(payload.at),
        actor=request.auth,
    )
    transfer = test.transfer
    return {
        "test": test,
        "alert": test.alert,
        "resample": test.resample,
        "transferred": bool(transfer and transfer.done),
        "note": transfer.note if transfer else "",
    }


@router.get("/alerts", response={200: AlertPage, **ERRORS}, summary="Alerts")
def list_alerts(
    request,
    days: int = Query(queries.ALERT_DAYS_DEFAULT, ge=1, le=queries.ALERT_DAYS_MAX),
    kind: Literal["fever", "symptoms", "positive"] | None = None,
    site_id: int | None = Query(None, ge=1, le=MAX_ID),
    stay_id: int | None = Query(None, ge=1, le=MAX_ID),
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Fevers, respiratory symptoms and positive results of the last `days` days at the
    sites (and home stays) in your jurisdiction, newest first."""
    require(request.auth, Capability.VIEW_QUARANTINE)
    rows, next_after = queries.alert_page(
        request.auth,
        days=days,
        kind=kind or "",
        site_id=site_id,
        stay_id=stay_id,
        after=after,
        limit=limit,
    )
    return {"items": rows, "next_after": next_after}
