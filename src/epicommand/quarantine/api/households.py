"""/api/v1/quarantine/households: households kept at home (home quarantine, lockdown
areas), their volunteer teams and supply requests. Every read starts from
`visible_to(caller)`; a household, request or team outside the caller's jurisdiction is
404. Changes go through quarantine.services.households and .supplies (audited)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.keyset import MAX_ID
from epicommand.core.models import User
from epicommand.people.models import Household

from ..models import HouseholdControl, SupplyRequest, VolunteerTeam
from ..queries import households as queries
from ..services import households as services
from ..services import supplies

router = Router(tags=["quarantine: households at home"])

KIND_PATTERN = "^(home_quarantine|lockdown_area)$"
SUPPLY_KIND_PATTERN = "^(necessities|medicine|other)$"
SUPPLY_STATUS_PATTERN = "^(open|all|requested|assigned|delivered|confirmed|cancelled)$"
REGION_CODE = r"^[0-9]{6,12}$"


READERS = (Capability.HOME_CONTROL, Capability.VIEW_QUARANTINE)


# Schemas -------------------------------------------------------------------------------------


class VolunteerTeamOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")
    leader: str
    phone: str
    members: int


class VolunteerTeamIn(Schema):
    name: str = Field(max_length=100)
    region_code: str = Field(pattern=REGION_CODE)
    leader: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    members: int = Field(1, ge=1, le=services.MAX_TEAM_MEMBERS)


class VolunteerTeamPatch(Schema):
    name: str | None = Field(None, max_length=100)
    region_code: str | None = Field(None, pattern=REGION_CODE)
    leader: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    members: int | None = Field(None, ge=1, le=services.MAX_TEAM_MEMBERS)


class VolunteerTeamPage(Schema):
    items: list[VolunteerTeamOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class HouseholdMemberOut(Schema):
    """A member of the household: ID number and phone masked."""

    id: int
    name: str
    masked_id: str
    masked_phone: str


class SupplyRequestOut(Schema):
    id: int
    household_at_home_id: int = Field(alias="control_id")
    household_code: str = Field(alias="control.household.code")
    address: str = Field(alias="control.household.address")
    region_code: str = Field(alias="region_id")
    kind: str = Field(description="necessities, medicine or other")
    items: str
    status: str = Field(description="requested, assigned, delivered, confirmed or cancelled")
    requested_at: datetime
    due_at: datetime = Field(description="requested_at + the edition's delivery hours")
    delayed: bool = Field(description="not delivered and past due_at")
    team: VolunteerTeamOut | None
    volunteer: str
    assigned_at: datetime | None
    delivered_at: datetime | None
    confirmed_at: datetime | None

    @staticmethod
    def resolve_delayed(obj) -> bool:
        return supplies.is_delayed(obj)


class SupplyRequestPage(Schema):
    items: list[SupplyRequestOut]
    next_after: str | None = Field(
        description="Opaque cursor: pass it as `after` for the next page; null on the last."
    )


class HouseholdAtHomeOut(Schema):
    id: int = Field(description="the household's time at home (its control)")
    household_id: int
    household_code: str = Field(alias="household.code")
    address: str = Field(alias="household.address")
    region_code: str = Field(alias="region_id")
    kind: str = Field(description="home_quarantine or lockdown_area")
    started_at: datetime
    ends_on: date | None = Field(description="the last day at home; null: until lifted")
    ended_at: datetime | None
    community_worker: str | None = Field(description="the community worker's user name")
    community_worker_id: int | None
    team: VolunteerTeamOut | None

    @staticmethod
    def resolve_community_worker(obj) -> str | None:
        return obj.community_worker.username if obj.community_worker_id else None


class HouseholdAtHomeRowOut(Schema):
    household: HouseholdAtHomeOut = Field(alias="control")
    members: list[HouseholdMemberOut]
    until: date | None = Field(
        description="the last day at home: the control's own, or its members' home "
        "monitoring after a stay"
    )
    days_remaining: int | None
    period_over: bool = Field(description="the last day has passed and the control is open")
    open_requests: list[SupplyRequestOut]
    delayed_requests: int


class HouseholdAtHomePage(Schema):
    items: list[HouseholdAtHomeRowOut]
    next_after: str | None = Field(
        description="Opaque cursor: pass it as `after` for the next page; null on the last."
    )


class HomeQuarantineIn(Schema):
    household_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(max_length=services.MAX_REASON)
    ends_on: date = Field(description="the last day at home")
    community_worker_id: int | None = Field(None, ge=1, le=MAX_ID)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)


class AreaLockdownIn(Schema):
    region_code: str = Field(pattern=REGION_CODE, description="the high-risk area")
    reason: str = Field(max_length=services.MAX_REASON)
    ends_on: date | None = Field(None, description="the last day at home; null: until lifted")
    community_worker_id: int | None = Field(None, ge=1, le=MAX_ID)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)


class AreaLockdownOut(Schema):
    region_code: str
    households_placed: int = Field(alias="placed")
    already_at_home: int


class AreaLockdownLiftIn(Schema):
    region_code: str = Field(pattern=REGION_CODE)
    reason: str = Field(max_length=services.MAX_REASON)


class AreaLockdownLiftOut(Schema):
    region_code: str
    households_released: int


class AssignHouseholdIn(Schema):
    """Only the fields sent change; null clears one."""

    community_worker_id: int | None = Field(None, ge=1, le=MAX_ID)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)


class HouseholdEndIn(Schema):
    reason: str = Field(max_length=services.MAX_REASON)


class SupplyRequestIn(Schema):
    household_id: int = Field(ge=1, le=MAX_ID)
    kind: str = Field(pattern=SUPPLY_KIND_PATTERN)
    items: str = Field(max_length=services.MAX_ITEMS, description="what the household needs")


class SupplyRequestAssignIn(Schema):
    team_id: int = Field(ge=1, le=MAX_ID)
    volunteer: str = Field(max_length=services.MAX_VOLUNTEER)


class SupplyRequestCancelIn(Schema):
    reason: str = Field(max_length=services.MAX_REASON)


# Lookups -----------------------------------------------------------------------------------


def _team(who, team_id: int | None) -> VolunteerTeam | None:
    if team_id is None:
        return None
    team = VolunteerTeam.objects.visible_to(who).select_related("region").filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team_id": "no volunteer team with this id in your jurisdiction"})
    return team


def _worker(worker_id: int | None) -> User | None:
    if worker_id is None:
        return None
    worker = User.objects.filter(pk=worker_id).first()
    if worker is None:
        # The same words as a user who is not a community worker of the area.
        raise ValidationError(
            {"community_worker_id": "is not a community worker whose area covers this household"}
        )
    return worker


def _household(who, household_id: int) -> Household:
    return get_object_or_404(Household.objects.visible_to(who), pk=household_id)


def _control(who, control_id: int) -> HouseholdControl:
    require(who, *READERS)
    return queries.visible_control(who, control_id)


def _supply(who, supply_id: int) -> SupplyRequest:
    require(who, *READERS)
    return queries.visible_request(who, supply_id)


def _row(who, control: HouseholdControl) -> queries.HouseholdRow:
    return queries.decorate(who, [control], now=timezone.now())[0]


# Teams -------------------------------------------------------------------------------------


@router.get("/teams", response={200: VolunteerTeamPage, **ERRORS}, summary="Volunteer teams")
def list_teams(
    request,
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    require(request.auth, *READERS)
    rows, next_after = queries.team_page(
        request.auth, after=after, limit=limit, region=region or ""
    )
    return {"items": rows, "next_after": next_after}


@router.post(
    "/teams", response={201: VolunteerTeamOut, **ERRORS}, summary="Create a volunteer team"
)
def create_team(request, payload: VolunteerTeamIn):
    require(request.auth, Capability.HOME_CONTROL)
    team = services.create_team(
        request.auth,
        name=payload.name,
        region_id=payload.region_code,
        leader=payload.leader,
        phone=payload.phone,
        members=payload.members,
    )
    return Status(201, team)


@router.get(
    "/teams/{team_id}", response={200: VolunteerTeamOut, **ERRORS}, summary="One volunteer team"
)
def get_team(request, team_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, *READERS)
    return queries.visible_team(request.auth, team_id)


@router.patch(
    "/teams/{team_id}", response={200: VolunteerTeamOut, **ERRORS}, summary="Change a team"
)
def patch_team(request, payload: VolunteerTeamPatch, team_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, Capability.HOME_CONTROL)
    team = queries.visible_team(request.auth, team_id)
    changes = payload.dict(exclude_unset=True)
    if "region_code" in changes:
        changes["region_id"] = changes.pop("region_code")
    changes = {k: v for k, v in changes.items() if v is not None}
    return services.update_team(request.auth, team, **changes)


# Supply requests ---------------------------------------------------------------------------


@router.get("/supplies", response={200: SupplyRequestPage, **ERRORS}, summary="Supply requests")
def list_supplies(
    request,
    status: str = Query(queries.OPEN, pattern=SUPPLY_STATUS_PATTERN),
    overdue: bool = Query(False, description="only open requests past their due time"),
    kind: str = Query("", pattern=f"{SUPPLY_KIND_PATTERN}|^$"),
    region: str | None = region_filter(),
    team: int | None = Query(None, ge=1, le=MAX_ID, description="assigned team id"),
    after: str | None = Query(None, max_length=40, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Supply requests in your jurisdiction, the soonest due first; `status=open` (the
    default) means requested or assigned, `all` every status. `delayed` flags an open
    request past its due time."""
    require(request.auth, *READERS)
    rows, next_after = queries.supply_page(
        request.auth,
        after=after,
        limit=limit,
        status=status,
        overdue=overdue,
        kind=kind,
        region=region or "",
        team_id=team,
    )
    return {"items": rows, "next_after": next_after}


@router.post("/supplies", response={201: SupplyRequestOut, **ERRORS}, summary="Request supplies")
def request_supplies(request, payload: SupplyRequestIn):
    """For a household kept at home (refused otherwise): due within the edition's delivery
    hours for the kind (medicine sooner than daily necessities)."""
    require(request.auth, Capability.HOME_CONTROL)
    household = _household(request.auth, payload.household_id)
    supply = supplies.request_supplies(
        request.auth, household, kind=payload.kind, items=payload.items
    )
    return Status(201, queries.visible_request(request.auth, supply.pk))


@router.get(
    "/supplies/{supply_id}", response={200: SupplyRequestOut, **ERRORS}, summary="One request"
)
def get_supply(request, supply_id: int = Path(..., ge=1, le=MAX_ID)):
    return _supply(request.auth, supply_id)


@router.post(
    "/supplies/{supply_id}/assign", response={200: SupplyRequestOut, **ERRORS}, summary="Assign"
)
def assign_supply(
    request, payload: SupplyRequestAssignIn, supply_id: int = Path(..., ge=1, le=MAX_ID)
):
    """To a volunteer of a team serving the household; again to hand it to someone else."""
    supply = _supply(request.auth, supply_id)
    supplies.assign_request(
        request.auth, supply, team=_team(request.auth, payload.team_id), volunteer=payload.volunteer
    )
    return queries.visible_request(request.auth, supply_id)


@router.post(
    "/supplies/{supply_id}/deliver", response={200: SupplyRequestOut, **ERRORS}, summary="Delivered"
)
def deliver_supply(request, supply_id: int = Path(..., ge=1, le=MAX_ID)):
    """Refused for a request never assigned, or already delivered."""
    supply = _supply(request.auth, supply_id)
    supplies.mark_delivered(request.auth, supply)
    return queries.visible_request(request.auth, supply_id)


@router.post(
    "/supplies/{supply_id}/confirm",
    response={200: SupplyRequestOut, **ERRORS},
    summary="Household confirms receipt",
)
def confirm_supply(request, supply_id: int = Path(..., ge=1, le=MAX_ID)):
    """The household's confirmation, through its community worker. Refused for a request
    never assigned, or confirmed already."""
    supply = _supply(request.auth, supply_id)
    supplies.confirm_receipt(request.auth, supply)
    return queries.visible_request(request.auth, supply_id)


@router.post(
    "/supplies/{supply_id}/cancel", response={200: SupplyRequestOut, **ERRORS}, summary="Cancel"
)
def cancel_supply(
    request, payload: SupplyRequestCancelIn, supply_id: int = Path(..., ge=1, le=MAX_ID)
):
    supply = _supply(request.auth, supply_id)
    supplies.cancel_request(request.auth, supply, reason=payload.reason)
    return queries.visible_request(request.auth, supply_id)


# Households at home ------------------------------------------------------------------------


@router.get("", response={200: HouseholdAtHomePage, **ERRORS}, summary="Households kept at home")
def list_households(
    request,
    kind: str = Query("", pattern=f"{KIND_PATTERN}|^$"),
    region: str | None = region_filter(),
    delayed: bool = Query(False, description="only households with a delayed request"),
    ended: bool = Query(False, description="households released instead"),
    after: str | None = Query(None, max_length=40, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Households kept at home in your jurisdiction, village by village, with their
    members (masked), days remaining and open supply requests."""
    require(request.auth, *READERS)
    rows, next_after = queries.household_page(
        request.auth,
        after=after,
        limit=limit,
        kind=kind,
        region=region or "",
        delayed_only=delayed,
        ended=ended,
    )
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: HouseholdAtHomeRowOut, **ERRORS}, summary="Home quarantine")
def put_under_home_quarantine(request, payload: HomeQuarantineIn):
    """Keep a household at home until `ends_on`; each member's health code turns yellow
    (home monitoring) until the control ends. Refused while it is already kept at home."""
    require(request.auth, Capability.HOME_CONTROL)
    household = _household(request.auth, payload.household_id)
    control = services.put_under_home_quarantine(
        request.auth,
        household,
        reason=payload.reason,
        ends_on=payload.ends_on,
        community_worker=_worker(payload.community_worker_id),
        team=_team(request.auth, payload.team_id),
    )
    return Status(201, _row(request.auth, queries.visible_control(request.auth, control.pk)))


@router.post("/lockdown", response={201: AreaLockdownOut, **ERRORS}, summary="Lock down an area")
def lock_down_area(request, payload: AreaLockdownIn):
    """Keep every household of a high-risk area at home, in one call however many; those
    already kept at home are counted, not changed. Their codes come from the risk area."""
    require(request.auth, Capability.HOME_CONTROL)
    result = services.lock_down_area(
        request.auth,
        payload.region_code,
        reason=payload.reason,
        ends_on=payload.ends_on,
        community_worker=_worker(payload.community_worker_id),
        team=_team(request.auth, payload.team_id),
    )
    return Status(201, result)


@router.post(
    "/lockdown/lift", response={200: AreaLockdownLiftOut, **ERRORS}, summary="Lift an area lockdown"
)
def lift_area_lockdown(request, payload: AreaLockdownLiftIn):
    require(request.auth, Capability.HOME_CONTROL)
    released = services.lift_area_lockdown(request.auth, payload.region_code, reason=payload.reason)
    return {"region_code": payload.region_code, "households_released": released}


@router.get(
    "/{control_id}", response={200: HouseholdAtHomeRowOut, **ERRORS}, summary="One household"
)
def get_household(request, control_id: int = Path(..., ge=1, le=MAX_ID)):
    return _row(request.auth, _control(request.auth, control_id))


@router.post(
    "/{control_id}/assign",
    response={200: HouseholdAtHomeRowOut, **ERRORS},
    summary="Assign community worker and team",
)
def assign_household(
    request, payload: AssignHouseholdIn, control_id: int = Path(..., ge=1, le=MAX_ID)
):
    require(request.auth, Capability.HOME_CONTROL)
    control = _control(request.auth, control_id)
    sent = payload.dict(exclude_unset=True)
    changes = {}
    if "community_worker_id" in sent:
        changes["community_worker"] = _worker(sent["community_worker_id"])
    if "team_id" in sent:
        changes["team"] = _team(request.auth, sent["team_id"])
    services.assign_household(request.auth, control, **changes)
    return _row(request.auth, queries.visible_control(request.auth, control_id))


@router.post("/{control_id}/end", response={200: HouseholdAtHomeRowOut, **ERRORS}, summary="End")
def end_household(request, payload: HouseholdEndIn, control_id: int = Path(..., ge=1, le=MAX_ID)):
    """The household may go out again: home-quarantine codes recomputed, open requests
    cancelled."""
    require(request.auth, Capability.HOME_CONTROL)
    control = _control(request.auth, control_id)
    services.end_household_control(request.auth, control, reason=payload.reason)
    return _row(request.auth, queries.visible_control(request.auth, control_id))
