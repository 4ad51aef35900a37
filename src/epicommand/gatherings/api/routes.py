"""Gatherings' routes: file applications, read them (scoped by their region: another
county's is 404), decide a stage (a person's account), the attendee check, the approver's
queue, the wartime state and the tourist sites' occupancy. Refusals name the field (422)."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.places.models import Venue

from .. import queries
from ..models import Application, Kind, Stage
from ..services import applications, approvals

router = Router(tags=["gatherings"])
ID = Path(..., ge=1, le=MAX_ID)


class AttendeeIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18)


class MeetingIn(Schema):
    organizer: str = Field(max_length=100)
    purpose: str = Field(max_length=200)
    venue_id: int = Field(ge=1, le=MAX_ID)
    starts_at: datetime
    ends_at: datetime
    headcount: int = Field(ge=1, le=1_000_000)
    attendees: list[AttendeeIn] = Field(max_length=2000)


class FamilyEventIn(Schema):
    kind: Literal["wedding", "funeral"]
    organizer: str = Field(max_length=100)
    purpose: str = Field(max_length=200)
    region_code: str = Field(max_length=12, description="the village it is registered with")
    starts_at: datetime
    ends_at: datetime
    headcount: int = Field(ge=1, le=1_000_000)
    by_employer: bool = Field(False, description="registered with your unit instead")


class AbroadIn(Schema):
    document: str = Field(max_length=20, description="the traveller's ID or passport number")
    purpose: str = Field(max_length=200)
    destination: str = Field(max_length=100)
    starts_at: datetime
    ends_at: datetime


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=300, description="required when refusing")


class StageOut(Schema):
    order: int
    approver: str
    region_code: str = Field(alias="region_id")
    unit_id: int | None
    state: str
    due_at: datetime | None
    overdue: bool
    decided_at: datetime | None
    note: str

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class ApplicationOut(Schema):
    id: int
    kind: str
    status: str
    region_code: str = Field(alias="region_id")
    organizer: str
    purpose: str
    destination: str
    venue_id: int | None
    starts_at: datetime
    ends_at: datetime
    headcount: int
    area_level: str
    wartime: bool
    refusal_reason: str
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class AttendeeCheckOut(Schema):
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    found: bool
    tested_before: datetime | None
    tested_after: datetime | None
    positive_after: bool
    attended_at: datetime | None
    missing: list[str]


class WartimeOut(Schema):
    in_force: bool
    in_force_from: datetime | None = None
    in_force_until: datetime | None = None
    reason: str = ""


class TouristSiteOut(Schema):
    id: int
    name: str
    region_code: str
    max_capacity: int
    risk_level: str
    cap: int
    closed_reason: str
    inside: int
    booked_today: int


def _application(who, application_id: int) -> Application:
    require(who, Capability.VIEW_GATHERINGS)
    return get_object_or_404(queries.applications_visible_to(who), pk=application_id)


@router.post("/meetings", response={201: ApplicationOut, **ERRORS}, summary="Apply for a meeting")
def file_meeting(request, payload: MeetingIn):
    """A meeting or event with its attendee list; routed by headcount tier and area risk."""
    data = payload.dict()
    venue = get_object_or_404(Venue, pk=data.pop("venue_id"))
    return Status(201, applications.file_meeting(request.auth, venue=venue, **data))


@router.post(
    "/family-events", response={201: ApplicationOut, **ERRORS}, summary="Wedding or funeral"
)
def file_family_event(request, payload: FamilyEventIn):
    data = payload.dict()
    unit = getattr(request.auth, "unit", None) if data.pop("by_employer") else None
    return Status(201, applications.file_family_event(request.auth, unit=unit, **data))


@router.post("/abroad", response={201: ApplicationOut, **ERRORS}, summary="Apply to go abroad")
def file_abroad(request, payload: AbroadIn):
    return Status(201, applications.file_abroad(request.auth, **payload.dict()))


@router.get("/applications", response={200: list[ApplicationOut], **ERRORS}, summary="List")
def list_applications(
    request,
    after: int | None = None,
    kind: Literal[tuple(Kind.values)] | None = None,
    status: Literal[tuple(Application.Status.values)] | None = None,
):
    """Applications in your jurisdiction, newest first, 50 a page (`after`: the last id)."""
    require(request.auth, Capability.VIEW_GATHERINGS)
    return queries.application_page(request.auth, after=after, kind=kind or "", status=status or "")


@router.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS})
def get_application(request, application_id: int = ID):
    application = _application(request.auth, application_id)
    audit.record(request.auth, "application.view", application, reason="api")
    return application


@router.post(
    "/applications/{application_id}/decision",
    response={200: ApplicationOut, **ERRORS},
    summary="Decide the current stage",
)
def decide(request, payload: DecisionIn, application_id: int = ID):
    """The approver of the stage awaiting decision approves or refuses (a person's account:
    a token gets 403). A stage out of order is 422 naming `stage`."""
    application = _application(request.auth, application_id)
    stage = application.stages.filter(state=Stage.State.CURRENT).first()
    if stage is None:
        stage = application.stages.order_by("-order").first()
    if stage is None:
        raise ValidationError({"stage": "this application has no stage to decide"})
    approvals.decide(request.auth, stage, approve=payload.approve, note=payload.note)
    application.refresh_from_db()
    return application


@router.get(
    "/applications/{application_id}/attendee-check",
    response={200: list[AttendeeCheckOut], **ERRORS},
    summary="Attendee check",
)
def attendee_check(request, application_id: int = ID):
    """Each attendee's negative test before, test after and place-code attendance."""
    application = _application(request.auth, application_id)
    audit.record(request.auth, "application.attendee_check", application, reason="api")
    return [
        {
            "name": mask_name(row.attendee.name),
            "id_number": mask_id_number(row.attendee.id_number),
            "found": row.attendee.person_id is not None,
            "tested_before": row.tested_before,
            "tested_after": row.tested_after,
            "positive_after": row.positive_after,
            "attended_at": row.attended_at,
            "missing": [str(m) for m in row.missing],
        }
        for row in queries.attendee_check(application)
    ]


@router.get("/queue", response={200: list[StageOut], **ERRORS}, summary="Stages awaiting you")
def queue(request, overdue: bool = False):
    require(request.auth, Capability.APPROVE_GATHERINGS)
    return queries.queue_for(request.auth, overdue_only=overdue)


@router.get("/wartime", response={200: WartimeOut, **ERRORS}, summary="The wartime state now")
def wartime_now(request):
    require(request.auth, Capability.VIEW_GATHERINGS)
    state = queries.wartime_at()
    if state is None:
        return {"in_force": False}
    return {
        "in_force": True,
        "in_force_from": state.in_force_from,
        "in_force_until": state.in_force_until,
        "reason": state.reason,
    }


@router.get("/sites", response={200: list[TouristSiteOut], **ERRORS}, summary="Occupancy board")
def sites(request):
    """Every tourist site in your jurisdiction with its cap under the risk in force."""
    require(request.auth, Capability.MANAGE_TOURIST_SITES)
    return [
        {
            "id": row.site.pk,
            "name": row.site.name,
            "region_code": row.site.region_id,
            "max_capacity": row.site.max_capacity,
            "risk_level": row.condition.level,
            "cap": row.condition.cap,
            "closed_reason": row.condition.closed_reason,
            "inside": row.site.inside,
            "booked_today": row.booked_today,
        }
        for row in queries.occupancy_board(request.auth)
    ]
