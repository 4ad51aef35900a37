"""/api/v1/cases: cases and their trajectories. A case is read through the region of the
person's residence: another district's case is 404 on every route. Lists show masked
identities and flag overdue investigations; one case's detail shows the person in full
and is audited. Reading needs VIEW_CASES, every change INVESTIGATE."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core import audit, followups
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, FollowUpOut, region_filter
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name
from epicommand.core.models import User
from epicommand.people import lookup
from epicommand.places.models import Venue

from .. import milestones
from ..models import Case, Classification, DetectionRoute, Outcome, Visit
from ..queries import cases as queries
from ..services import cases as services
from ..services import trajectory

router = Router(tags=["Cases"])

C = Capability
CASE_ID = Path(..., ge=1, le=MAX_ID)
VISIT_ID = Path(..., ge=1, le=MAX_ID)
ID_NUMBER = r"^[0-9]{17}[0-9Xx]$"
TIME = "ISO 8601; without an offset it is Asia/Shanghai time"
CLASS_FILTER = "^(" + "|".join(["confirmed", *Classification.values]) + ")$"


class CaseOut(Schema):
    """A case as lists show it: the person masked, the investigation's state."""

    id: int
    person_id: int
    masked_name: str
    masked_id: str
    region_code: str = Field(alias="region_id")
    episode: int
    classification: str
    detection_route: str
    onset_date: date | None
    sampling_date: date | None
    reported_at: datetime
    confirmed_at: datetime | None
    isolated_at: datetime | None
    hospital: str
    transfer_ordered_at: datetime | None
    transferred_at: datetime | None = Field(description="admitted to the hospital")
    outcome: str = Field(description="empty while open; recovered, died or ruled_out")
    outcome_at: datetime | None
    epidemiologist: str | None
    assigned_at: datetime | None
    on_site_at: datetime | None
    core_done_at: datetime | None
    completed_at: datetime | None
    overdue: bool = Field(description="an investigation milestone is past its deadline")
    awaiting_epidemiologist: bool = Field(
        description="open and nobody assigned: the county's alarm (no deadline runs yet)"
    )
    cluster_id: int | None

    @staticmethod
    def resolve_masked_name(case) -> str:
        return mask_name(case.person.name)

    @staticmethod
    def resolve_masked_id(case) -> str:
        return case.person.masked_id

    @staticmethod
    def resolve_epidemiologist(case) -> str | None:
        return case.epidemiologist.get_username() if case.epidemiologist_id else None

    @staticmethod
    def resolve_overdue(case) -> bool:
        return milestones.is_overdue(case)

    @staticmethod
    def resolve_awaiting_epidemiologist(case) -> bool:
        return milestones.awaiting_epidemiologist(case)


class CasePage(Schema):
    items: list[CaseOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class CasePersonOut(Schema):
    id: int
    name: str
    id_number: str | None
    phone: str
    address: str
    region_code: str = Field(alias="region_id")


class CaseClassificationOut(Schema):
    at: datetime
    classification_from: str
    classification_to: str
    changed_by: str | None
    note: str

    @staticmethod
    def resolve_changed_by(step) -> str | None:
        return step.changed_by.get_username() if step.changed_by_id else None


class CaseDeadlineOut(Schema):
    milestone: str = Field(description="on_site, core or completed")
    due_at: datetime | None = Field(description="null until an epidemiologist is assigned")
    done_at: datetime | None
    overdue: bool
    late: bool = Field(description="reached after the deadline")


class CaseWindowOut(Schema):
    start: datetime
    end: datetime


class CaseDetailOut(Schema):
    case: CaseOut
    person: CasePersonOut
    classifications: list[CaseClassificationOut]
    deadlines: list[CaseDeadlineOut]
    window: CaseWindowOut = Field(description="the look-back window of the trajectory")
    followup: FollowUpOut | None = Field(
        description="the trajectory, contacts, referrals and cluster found after the "
        "registration (or the contacts after a visit changed): its latest run"
    )


class CaseIn(Schema):
    person_id: int | None = Field(None, ge=1, le=MAX_ID, description="a person you may see")
    id_number: str | None = Field(None, pattern=ID_NUMBER, description="or the person's ID number")
    classification: Classification
    detection_route: DetectionRoute
    onset_date: date | None = None
    sampling_date: date | None = Field(
        None, description="required for an asymptomatic infection without onset"
    )
    reported_at: datetime | None = Field(None, description=f"default now; {TIME}")
    source_key: str | None = Field(
        None, max_length=100, description="registering the same key again changes nothing"
    )
    note: str = Field("", max_length=500)
    order_transfer: bool = False
    hospital: str = Field("", max_length=150)


class CaseReclassifyIn(Schema):
    classification: Classification
    note: str = Field("", max_length=300)
    at: datetime | None = Field(None, description=TIME)


class CaseAssignIn(Schema):
    epidemiologist: str = Field(max_length=150, description="the user name")
    at: datetime | None = Field(None, description=TIME)


class CaseMilestoneIn(Schema):
    milestone: str = Field(pattern="^(on_site|core|completed)$")
    at: datetime | None = Field(None, description=TIME)


class CaseTransferIn(Schema):
    hospital: str = Field("", max_length=150)
    admitted: bool = Field(False, description="the case arrived at the hospital (isolated)")
    at: datetime | None = Field(None, description=TIME)


class CaseOutcomeIn(Schema):
    outcome: str = Field(
        pattern="^(recovered|died|ruled_out|isolated)$",
        description=(
            "recovered, died or ruled_out close the case; isolated records the isolation time "
            "that ends the trajectory window"
        ),
    )
    at: datetime | None = Field(None, description=TIME)


class CaseVisitOut(Schema):
    id: int
    origin: str = Field(description="scan, checkpoint, home, workplace or interview")
    status: str = Field(description="suggested, confirmed or removed")
    venue_id: int | None
    venue_name: str | None
    checkpoint_id: int | None
    address: str
    latitude: float | None
    longitude: float | None
    started_at: datetime
    ended_at: datetime
    companions: str
    mask: str
    note: str

    @staticmethod
    def resolve_venue_name(visit) -> str | None:
        return visit.venue.name if visit.venue_id else None


class CaseVisitIn(Schema):
    venue_id: int | None = Field(None, ge=1, le=MAX_ID, description="a registered place")
    address: str = Field("", max_length=200, description="or a free address")
    started_at: datetime = Field(description=TIME)
    ended_at: datetime = Field(description=TIME)
    companions: str = Field("", max_length=300)
    mask: Visit.Mask = Visit.Mask.UNKNOWN
    note: str = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _case(request, case_id: int, capability=C.VIEW_CASES) -> Case:
    require(request.auth, capability)
    return queries.visible_case(request.auth, case_id)


def _out(case_id: int) -> Case:
    return Case.objects.select_related("person", "epidemiologist").get(pk=case_id)


@router.get("", response={200: CasePage, **ERRORS}, summary="List cases")
def list_cases(
    request,
    classification: str | None = Query(
        None, pattern=CLASS_FILTER, description="a classification, or confirmed"
    ),
    overdue: bool = Query(False, description="only cases with an overdue milestone"),
    awaiting_epidemiologist: bool = Query(
        False, description="only open cases nobody was assigned to"
    ),
    open_only: bool = Query(False, description="only cases without an outcome"),
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """The cases of persons living in your jurisdiction, newest first."""
    require(request.auth, C.VIEW_CASES)
    filters = queries.CaseFilter(
        classification=classification or "",
        overdue=overdue,
        awaiting_epidemiologist=awaiting_epidemiologist,
        region=region,
        open_only=open_only,
    )
    rows, next_after = queries.case_page(request.auth, filters, after=after, limit=limit)
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: CaseOut, **ERRORS}, summary="Register a case")
def register(request, payload: CaseIn):
    """For a person living in your jurisdiction, by `person_id` or `id_number`. 422 naming
    the field: an unknown person, a person with an open case (`person`: "already case N"),
    an onset in the future, an asymptomatic infection without a sampling date."""
    require(request.auth, C.INVESTIGATE)
    if (payload.person_id is None) == (payload.id_number is None):
        raise ValidationError({"person_id": _("give a person_id or an id_number (one of them)")})
    if payload.person_id is not None:
        person = queries.person_for_case(request.auth, payload.person_id)
    else:
        # Scoped: a case is registered by the district the person lives in.
        person = lookup.find_by_document(request.auth, payload.id_number)
    if person is None:
        field = "person_id" if payload.person_id is not None else "id_number"
        raise ValidationError({field: _("no such person in your jurisdiction")})
    case = services.register_case(
        request.auth,
        person,
        classification=payload.classification.value,
        detection_route=payload.detection_route.value,
        onset_date=payload.onset_date,
        sampling_date=payload.sampling_date,
        reported_at=_aware(payload.reported_at),
        source_key=payload.source_key,
        note=payload.note,
        order_transfer=payload.order_transfer,
        hospital=payload.hospital,
    )
    return Status(201, _out(case.pk))


@router.get("/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="One case")
def get_case(request, case_id: int = CASE_ID):
    """The case with the person in full (audited), its classification history, the
    investigation deadlines, the look-back window and the progress of its follow-up work."""
    case = _case(request, case_id)
    audit.record(request.auth, "case.view", case, reason="api")
    start, end = trajectory.window(case)
    return {
        "case": case,
        "person": case.person,
        "classifications": queries.history(case),
        "deadlines": milestones.deadlines(case),
        "window": {"start": start, "end": end},
        "followup": followups.latest_for(case),
    }


@router.post("/{case_id}/classification", response={200: CaseOut, **ERRORS}, summary="Reclassify")
def reclassify(request, payload: CaseReclassifyIn, case_id: int = CASE_ID):
    case = _case(request, case_id, C.INVESTIGATE)
    services.reclassify(
        request.auth, case, payload.classification.value, note=payload.note, at=_aware(payload.at)
    )
    return _out(case.pk)


@router.post("/{case_id}/assign", response={200: CaseOut, **ERRORS}, summary="Assign")
def assign(request, payload: CaseAssignIn, case_id: int = CASE_ID):
    """To an epidemiologist who may investigate in the case's region (422 `epidemiologist`
    otherwise); the deadlines count from the assignment."""
    case = _case(request, case_id, C.INVESTIGATE)
    user = User.objects.filter(username=payload.epidemiologist).first()
    if user is None:
        raise ValidationError({"epidemiologist": _("no such user")})
    services.assign(request.auth, case, user, at=_aware(payload.at))
    return _out(case.pk)


@router.post(
    "/{case_id}/milestones", response={200: CaseOut, **ERRORS}, summary="Reach a milestone"
)
def milestone(request, payload: CaseMilestoneIn, case_id: int = CASE_ID):
    """on_site, then core, then completed (422 `milestone` out of order or twice)."""
    case = _case(request, case_id, C.INVESTIGATE)
    services.reach_milestone(request.auth, case, payload.milestone, at=_aware(payload.at))
    return _out(case.pk)


@router.post("/{case_id}/transfer", response={200: CaseOut, **ERRORS}, summary="Transfer")
def transfer(request, payload: CaseTransferIn, case_id: int = CASE_ID):
    """Order the transfer to a designated hospital, or (`admitted`) record the admission,
    which also isolates the case."""
    case = _case(request, case_id, C.INVESTIGATE)
    if payload.admitted:
        services.record_admission(
            request.auth, case, hospital=payload.hospital, at=_aware(payload.at)
        )
    else:
        services.order_transfer(
            request.auth, case, hospital=payload.hospital, at=_aware(payload.at)
        )
    return _out(case.pk)


@router.post("/{case_id}/outcome", response={200: CaseOut, **ERRORS}, summary="Outcome")
def outcome(request, payload: CaseOutcomeIn, case_id: int = CASE_ID):
    """Close the case (recovered, died, ruled_out: the CASE health fact ends), or record
    its isolation (`isolated`)."""
    case = _case(request, case_id, C.INVESTIGATE)
    if payload.outcome == "isolated":
        services.record_isolation(request.auth, case, at=_aware(payload.at))
    else:
        services.record_outcome(request.auth, case, Outcome(payload.outcome), at=_aware(payload.at))
    return _out(case.pk)


@router.get("/{case_id}/visits", response={200: list[CaseVisitOut], **ERRORS}, summary="Trajectory")
def list_visits(request, case_id: int = CASE_ID):
    """Every visit in time order, removed ones included (status tells)."""
    case = _case(request, case_id)
    audit.record(request.auth, "case.trajectory.view", case, reason="api")
    return queries.visits(case)


@router.post("/{case_id}/visits", response={201: CaseVisitOut, **ERRORS}, summary="Add a visit")
def add_visit(request, payload: CaseVisitIn, case_id: int = CASE_ID):
    """A visit from the interview: a place (`venue_id`) or a free `address`, inside the
    look-back window. 422 `ended_at` when it ends before it starts or after the window
    closes, `started_at` before the window opens, `venue_id` an unknown place."""
    case = _case(request, case_id, C.INVESTIGATE)
    venue = None
    if payload.venue_id is not None:
        venue = Venue.objects.filter(pk=payload.venue_id).first()
        if venue is None:
            raise ValidationError({"venue_id": _("no such place")})
    visit = trajectory.add_visit(
        request.auth,
        case,
        venue=venue,
        address=payload.address,
        started_at=_aware(payload.started_at),
        ended_at=_aware(payload.ended_at),
        companions=payload.companions,
        mask=payload.mask.value,
        note=payload.note,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, visit)


@router.post(
    "/{case_id}/visits/{visit_id}/confirm",
    response={200: CaseVisitOut, **ERRORS},
    summary="Confirm a visit",
)
def confirm_visit(request, case_id: int = CASE_ID, visit_id: int = VISIT_ID):
    case = _case(request, case_id, C.INVESTIGATE)
    return trajectory.confirm_visit(
        request.auth, queries.visible_visit(request.auth, case, visit_id)
    )


@router.post(
    "/{case_id}/visits/{visit_id}/remove",
    response={200: CaseVisitOut, **ERRORS},
    summary="Remove a visit",
)
def remove_visit(request, case_id: int = CASE_ID, visit_id: int = VISIT_ID):
    case = _case(request, case_id, C.INVESTIGATE)
    return trajectory.remove_visit(
        request.auth, queries.visible_visit(request.auth, case, visit_id)
    )
