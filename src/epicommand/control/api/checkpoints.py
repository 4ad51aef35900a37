"""/api/v1/checkpoints: checkpoints, the verdict for a passer (a device's hot path), a
device's batch of passages, the checkpoint log, vehicle permits, lockdowns and the
priority-testing list. See docs/api-guide.md "Checkpoints".

Checkpoints, their logs, permits and lockdowns are scoped by their own region, the
priority-testing list by the person's region of residence: outside the caller's
jurisdiction a record is 404. Changes go through control.services.checkpoints (audited)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import (
    BATCH_ERRORS,
    ERRORS,
    BatchItemOut,
    BatchOut,
    batch_response,
    region_filter,
    request_field_names,
)
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name
from epicommand.testing.models import PriorityTest

from ..models import Checkpoint
from ..queries import checkpoints as queries
from ..services import checkpoints as services

router = Router(tags=["checkpoints"])

C = Capability
KINDS = "^(" + "|".join(Checkpoint.Kind.values) + ")$"
CLIENT_ID = r"^[A-Za-z0-9._:-]{1,64}$"
AFTER = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page")
LIMIT = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE)
ID = Path(..., ge=1, le=MAX_ID)
# Any day is answered: the passage list clamps it to the calendar it can store.
DAY = Query(None, description="a Beijing day, inclusive")
REASONS = "^(" + "|".join(PriorityTest.Reason.values) + ")?$"


# Checkpoints ---------------------------------------------------------------------------------


class CheckpointOut(Schema):
    id: int
    name: str
    kind: str = Field(description=", ".join(Checkpoint.Kind.values))
    region_code: str = Field(alias="region_id")
    venue_id: int | None = Field(description="the venue it guards (a venue entrance)")
    road: str
    latitude: float
    longitude: float
    unit_ids: list[int] = Field(description="the units that staff it")
    is_active: bool = Field(description="in operation")
    created_at: datetime

    @staticmethod
    def resolve_unit_ids(obj) -> list[int]:
        return [unit.pk for unit in obj.units.all()]


class CheckpointPage(Schema):
    items: list[CheckpointOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


class CheckpointIn(Schema):
    name: str = Field(max_length=150)
    kind: str = Field(pattern=KINDS)
    region_code: str = Field(pattern=r"^[0-9]{6,12}$", description="where it stands")
    venue_id: int | None = Field(None, ge=1, le=MAX_ID, description="for a venue entrance")
    road: str = Field("", max_length=100)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    unit_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field([], max_length=100)
    is_active: bool = True


class CheckpointPatch(Schema):
    name: str | None = Field(None, max_length=150)
    kind: str | None = Field(None, pattern=KINDS)
    region_code: str | None = Field(None, pattern=r"^[0-9]{6,12}$")
    venue_id: int | None = Field(None, ge=1, le=MAX_ID)
    road: str | None = Field(None, max_length=100)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    unit_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=100)
    is_active: bool | None = None
    reason: str = Field("", max_length=500)


def _checkpoint_fields(payload: Schema) -> dict:
    data = payload.dict(exclude_unset=True)
    if "region_code" in data:
        data["region_id"] = data.pop("region_code")
    data.pop("reason", None)
    return {k: v for k, v in data.items() if v is not None or k == "venue_id"}


def _visible_checkpoint(who, checkpoint_id: int) -> Checkpoint:
    return queries.visible_checkpoint(who, checkpoint_id)


@router.get("", response={200: CheckpointPage, **ERRORS}, summary="List checkpoints")
def list_checkpoints(
    request,
    region: str | None = region_filter(),
    kind: str = Query("", pattern=f"{KINDS}|^$"),
    active: bool | None = None,
    after: int | None = AFTER,
    limit: int = LIMIT,
):
    """Checkpoints in your jurisdiction, by id."""
    require(request.auth, C.VIEW_CHECKPOINTS)
    filters = queries.CheckpointFilter(region=region, kind=kind, active=active)
    rows, next_after = queries.checkpoint_page(request.auth, filters, after=after, limit=limit)
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: CheckpointOut, **ERRORS}, summary="Set up a checkpoint")
def create_checkpoint(request, payload: CheckpointIn):
    """A road checkpoint, expressway exit, venue entrance (give `venue_id`), station or
    village gate, inside your jurisdiction."""
    require(request.auth, C.MANAGE_CHECKPOINTS)
    checkpoint = services.create_checkpoint(request.auth, **_checkpoint_fields(payload))
    return Status(201, checkpoint)


# Every fixed path (the log, the batch, permits, lockdowns, the priority list) is declared
# before "/{checkpoint_id}": routes are matched in order.


class PassageOut(Schema):
    """A passage with the person's name and ID number masked."""

    id: int
    client_id: str
    checkpoint_id: int
    checkpoint_name: str = Field(alias="checkpoint.name")
    region_code: str = Field(alias="region_id", description="the checkpoint's region")
    person_id: int
    person_name: str = Field(description="masked")
    masked_id: str = Field(alias="person.masked_id")
    passed_at: datetime
    direction: str
    temperature: float | None
    plate: str
    vehicle_people: int
    permit_number: str | None
    colour: str = Field(description="the person's colour when judged")
    verdict: str = Field(description="pass, restricted or deny")
    reasons: list[str]
    recorded_at: datetime

    @staticmethod
    def resolve_person_name(obj) -> str:
        return mask_name(obj.person.name)

    @staticmethod
    def resolve_permit_number(obj) -> str | None:
        return obj.permit.number if obj.permit_id else None

    @staticmethod
    def resolve_reasons(obj) -> list[str]:
        return [r for r in obj.reasons.split("; ") if r] if obj.reasons else []


class PassagePage(Schema):
    items: list[PassageOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


@router.get("/passages", response={200: PassagePage, **ERRORS}, summary="The checkpoint log")
def list_passages(
    request,
    checkpoint: int | None = Query(None, ge=1, le=MAX_ID, description="one checkpoint's log"),
    region: str | None = region_filter(),
    verdict: str = Query("", pattern="^(pass|restricted|deny)?$"),
    direction: str = Query("", pattern="^(in|out)?$"),
    date_from: date | None = DAY,
    date_to: date | None = DAY,
    plate: str = Query("", max_length=20),
    fever: bool = Query(False, description="only temperatures at or above the threshold"),
    after: int | None = AFTER,
    limit: int = LIMIT,
):
    """Persons through the checkpoints of your jurisdiction (whoever they are), newest
    recorded first; names and ID numbers masked."""
    require(request.auth, C.VIEW_CHECKPOINTS)
    filters = queries.PassageFilter(
        checkpoint_id=checkpoint,
        region=region,
        verdict=verdict,
        direction=direction,
        date_from=date_from,
        date_to=date_to,
        plate=services.normalize_plate(plate),
        fever=fever,
    )
    rows, next_after = queries.passage_page(request.auth, filters, after=after, limit=limit)
    return {"items": rows, "next_after": next_after}


class BatchItemIn(Schema):
    """One person through a checkpoint. Identify them by `id_number` or `health_code`."""

    client_id: str = Field(
        pattern=CLIENT_ID,
        description="The device's own id for this passage (letters, digits, . _ : -), unique "
        "across everything it sends: a retried batch with the same ids adds nothing.",
    )
    checkpoint_id: int = Field(ge=1, le=MAX_ID)
    id_number: str | None = Field(None, description="National ID number (18 characters).")
    health_code: str | None = Field(None, description="The health-code QR token shown (HC1:...).")
    temperature: float | None = Field(None, description="°C, 34.0 to 43.0; null: not taken")
    direction: Literal["in", "out"]
    passed_at: datetime = Field(
        description="ISO 8601; without an offset it is Asia/Shanghai time. Refused more than "
        "5 minutes ahead of the platform's clock or over 30 days ago."
    )
    plate: str | None = Field(None, description="The vehicle's plate, if the person is in one.")
    vehicle_people: int = Field(0, ge=0, le=99, description="people in it, the person included")
    permit_number: str | None = Field(None, description="The vehicle's permit, in a lockdown.")


# The items reach core.intake as sent, and it checks each whole, so that every error
# reads `items[3].passed_at` alike (a time that does not parse or one in the future) and
# one answer lists them all. The document still describes each item.
ITEMS_SCHEMA = {
    "type": "array",
    "maxItems": services.MAX_BATCH,
    "items": BatchItemIn.model_json_schema(),
    "description": f"1 to {services.MAX_BATCH:,} passages",
}


class BatchIn(Schema):
    items: Annotated[list[Any], WithJsonSchema(ITEMS_SCHEMA)]


class ItemOut(BatchItemOut):
    verdict: str = Field(description="pass, restricted or deny (a replay: the stored one)")
    colour: str
    reasons: list[str]


class PassageBatchOut(BatchOut):
    items: list[ItemOut] = Field(description="One per item, in the batch's order.")


@router.post(
    "/passages/batch",
    response={200: PassageBatchOut, **BATCH_ERRORS},
    summary="Record a batch of passages",
)
def record_batch(request, payload: BatchIn):
    """Up to 5,000 passages from a device, by the contract of docs/api-guide.md "Device
    and lab batches": if any item is wrong nothing is recorded and the 422 answer lists
    every error as `items[3].temperature`. Items whose client id is stored already are
    `replayed` with their stored verdict and change nothing."""
    require(request.auth, C.RECORD_PASSAGES)
    return batch_response(services.record_passages(request.auth, payload.items))


# Permits ---------------------------------------------------------------------------------------


class PermitOut(Schema):
    id: int
    number: str
    plate: str
    holder: str
    purpose: str
    region_code: str = Field(alias="region_id", description="the issuing city or county")
    max_passengers: int = Field(description="people the vehicle may carry, driver included")
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    revoked_at: datetime | None
    status: str = Field(description="valid, not_yet_valid, expired or revoked")

    @staticmethod
    def resolve_status(obj) -> str:
        return queries.permit_status(obj, timezone.now())


class PermitPage(Schema):
    items: list[PermitOut]
    next_after: int | None


class PermitIn(Schema):
    plate: str = Field(max_length=20)
    holder: str = Field(max_length=100)
    purpose: str = Field(max_length=200)
    valid_from: datetime = Field(description="without an offset, Asia/Shanghai time")
    valid_until: datetime
    region_code: str | None = Field(
        None, pattern=r"^[0-9]{6}$", description="the issuing city or county; yours if omitted"
    )


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


@router.get("/permits", response={200: PermitPage, **ERRORS}, summary="Vehicle permits")
def list_permits(
    request,
    plate: str = Query("", max_length=20),
    status: str = Query("", pattern="^(valid|expired|revoked)?$"),
    after: int | None = AFTER,
    limit: int = LIMIT,
):
    require(request.auth, C.VIEW_CHECKPOINTS)
    rows, next_after = queries.permit_page(
        request.auth,
        plate=services.normalize_plate(plate),
        status=status,
        after=after,
        limit=limit,
    )
    return {"items": rows, "next_after": next_after}


@router.post("/permits", response={201: PermitOut, **ERRORS}, summary="Issue a vehicle permit")
def issue_permit(request, payload: PermitIn):
    """A command office lets one vehicle through its lockdown; it carries at most the
    protocol edition's number of people. The number is generated. A person's account only."""
    require(request.auth, C.MANAGE_CHECKPOINTS)
    with request_field_names(region_id="region_code"):
        permit = services.issue_permit(
            request.auth,
            plate=payload.plate,
            holder=payload.holder,
            purpose=payload.purpose,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
            region_id=payload.region_code,
        )
    return Status(201, permit)


@router.post(
    "/permits/{permit_id}/revoke", response={200: PermitOut, **ERRORS}, summary="Revoke a permit"
)
def revoke_permit(request, payload: ReasonIn, permit_id: int = ID):
    require(request.auth, C.MANAGE_CHECKPOINTS)
    permit = queries.visible_permit(request.auth, permit_id)
    return services.revoke_permit(request.auth, permit, reason=payload.reason)


# Lockdowns -------------------------------------------------------------------------------------


class LockdownOut(Schema):
    id: int
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    reason: str
    declared_at: datetime
    lifted_at: datetime | None


class LockdownIn(Schema):
    region_code: str = Field(pattern=r"^[0-9]{6,12}$")
    reason: str = Field(max_length=200)


@router.get("/lockdowns", response={200: list[LockdownOut], **ERRORS}, summary="Lockdowns")
def list_lockdowns(request, lifted: bool = Query(False, description="include lifted ones")):
    """Lockdowns in your jurisdiction and those in force over it from above."""
    require(request.auth, C.VIEW_CHECKPOINTS)
    return queries.lockdown_list(request.auth, include_lifted=lifted)


@router.post("/lockdowns", response={201: LockdownOut, **ERRORS}, summary="Declare a lockdown")
def declare_lockdown(request, payload: LockdownIn):
    """From now on every vehicle at a checkpoint inside the region needs a permit. A
    person's account only."""
    require(request.auth, C.MANAGE_CHECKPOINTS)
    with request_field_names(region_id="region_code"):
        lockdown = services.declare_lockdown(
            request.auth, region_id=payload.region_code, reason=payload.reason
        )
    return Status(201, lockdown)


@router.post("/lockdowns/{lockdown_id}/lift", response={200: LockdownOut, **ERRORS}, summary="Lift")
def lift_lockdown(request, payload: ReasonIn, lockdown_id: int = ID):
    require(request.auth, C.MANAGE_CHECKPOINTS)
    lockdown = queries.visible_lockdown(request.auth, lockdown_id)
    return services.lift_lockdown(request.auth, lockdown, reason=payload.reason)


# Priority testing --------------------------------------------------------------------------------


class PriorityTestOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person_masked_name", description="masked")
    masked_id: str = Field(alias="person.masked_id")
    region_code: str = Field(alias="region_id", description="the person's region of residence")
    reason: str
    detail: str
    listed_at: datetime
    deadline: datetime
    overdue: bool
    sampled_at: datetime | None


class PriorityTestPage(Schema):
    items: list[PriorityTestOut]
    next_after: str | None = Field(description="Opaque cursor for the next page.")


@router.get(
    "/priority-tests",
    response={200: PriorityTestPage, **ERRORS},
    summary="Persons to sample first",
)
def list_priority_tests(
    request,
    region: str | None = region_filter(),
    reason: str = Query(
        "", pattern="^(checkpoint_fever|fever_clinic|close_contact|suspected_case)?$"
    ),
    overdue: bool = False,
    include_sampled: bool = False,
    after: str | None = Query(None, max_length=40, pattern=r"^[0-9]+-[0-9]+$"),
    limit: int = LIMIT,
):
    """Persons living in your jurisdiction to sample first, the most urgent first."""
    require(request.auth, C.VIEW_PRIORITY_TESTS)
    filters = queries.PriorityFilter(
        region=region, overdue=overdue, include_sampled=include_sampled, reason=reason
    )
    rows, next_after = queries.priority_test_page(request.auth, filters, after=after, limit=limit)
    return {"items": rows, "next_after": next_after}


# One checkpoint ----------------------------------------------------------------------------


@router.get("/{checkpoint_id}", response={200: CheckpointOut, **ERRORS}, summary="One checkpoint")
def get_checkpoint(request, checkpoint_id: int = ID):
    require(request.auth, C.VIEW_CHECKPOINTS)
    return _visible_checkpoint(request.auth, checkpoint_id)


@router.patch(
    "/{checkpoint_id}", response={200: CheckpointOut, **ERRORS}, summary="Change a checkpoint"
)
def patch_checkpoint(request, payload: CheckpointPatch, checkpoint_id: int = ID):
    require(request.auth, C.MANAGE_CHECKPOINTS)
    checkpoint = _visible_checkpoint(request.auth, checkpoint_id)
    return services.update_checkpoint(
        request.auth, checkpoint, reason=payload.reason, **_checkpoint_fields(payload)
    )


class PasserBody(Schema):
    id_number: str = Field("", max_length=32)
    health_code: str = Field("", max_length=300)
    temperature: float | None = Field(None, description="°C, 34.0 to 43.0")


class PassageIn(Schema):
    """One passer (`id_number` or `health_code`); with `passengers`, a vehicle whose driver
    is the passer at the top."""

    client_id: str | None = Field(
        None,
        pattern=CLIENT_ID,
        description="The device's id for this record: a retry with it changes nothing. "
        "For a vehicle at most 60 characters (passenger n is recorded as `client_id#n`).",
    )
    id_number: str = Field("", max_length=32)
    health_code: str = Field("", max_length=300, description="the QR token shown (HC1:...)")
    temperature: float | None = Field(None, description="°C, 34.0 to 43.0; null: not taken")
    direction: Literal["in", "out"]
    passed_at: datetime | None = Field(
        None, description="now if omitted; without an offset, Asia/Shanghai time"
    )
    plate: str = Field("", max_length=20, description="the vehicle's plate, if in one")
    vehicle_people: int = Field(
        0, ge=0, le=99, description="people in the vehicle, the passer included"
    )
    permit_number: str = Field("", max_length=32, description="the vehicle's permit")
    passengers: list[PasserBody] = Field(
        [], max_length=98, description="the other people in the vehicle"
    )
    came_from: str = Field(
        "",
        max_length=60,
        description="entering only: the region the person comes from (a vehicle: all of them)",
    )
    came_from_risk: Literal["", "low", "medium", "high"] = Field(
        "",
        description="that region's risk level; medium or high makes the passage an arrival "
        "on the destination county's list (inbound), as a follow-up",
    )


class PersonVerdictOut(Schema):
    passage_id: int
    client_id: str
    person_id: int
    person_name: str = Field(description="masked")
    masked_id: str
    colour: str = Field(description="the person's colour when judged")
    temperature: float | None
    verdict: str = Field(description="this person's own verdict")
    reasons: list[str]


class VerdictOut(Schema):
    verdict: str = Field(description="pass, restricted or deny (a vehicle: the worst of all)")
    reasons: list[str]
    replayed: bool = Field(description="the client id was recorded before: nothing changed")
    people: list[PersonVerdictOut]


@router.post(
    "/{checkpoint_id}/passages",
    response={200: VerdictOut, 201: VerdictOut, **ERRORS},
    summary="Judge and record a passer (or a vehicle)",
)
def record_passage(request, payload: PassageIn, checkpoint_id: int = ID):
    """The verdict for one passer, or a vehicle with `plate` and `passengers`, and its
    reasons: red health code deny, yellow restricted, a fever deny, and in a lockdown a
    vehicle without a valid permit for its plate and people deny. 201 when recorded, 200
    with `replayed` when the client id was recorded before."""
    require(request.auth, C.RECORD_PASSAGES)
    checkpoint = queries.checkpoint_to_record_at(request.auth, checkpoint_id)
    common = {
        "direction": payload.direction,
        "permit_number": payload.permit_number,
        "passed_at": payload.passed_at,
        "client_id": payload.client_id or "",
        "came_from": payload.came_from,
        "came_from_risk": payload.came_from_risk,
    }
    if payload.passengers:
        result = services.record_vehicle(
            request.auth,
            checkpoint,
            driver=services.PasserIn(
                payload.id_number, payload.health_code, None, payload.temperature
            ),
            passengers=[
                services.PasserIn(p.id_number, p.health_code, None, p.temperature)
                for p in payload.passengers
            ],
            plate=payload.plate,
            **common,
        )
    else:
        result = services.record_passage(
            request.auth,
            checkpoint,
            id_number=payload.id_number,
            health_code=payload.health_code,
            temperature=payload.temperature,
            plate=payload.plate,
            vehicle_people=payload.vehicle_people,
            **common,
        )
    body = {
        "verdict": result.verdict,
        "reasons": list(result.reasons),
        "replayed": result.replayed,
        "people": [
            {
                "passage_id": p.passage.pk,
                "client_id": p.passage.client_id,
                "person_id": p.person.pk,
                "person_name": mask_name(p.person.name),
                "masked_id": p.person.masked_id,
                "colour": p.colour,
                "temperature": p.passage.temperature,
                "verdict": p.judgement.verdict,
                "reasons": list(p.judgement.reasons),
            }
            for p in result.passers
        ],
    }
    return Status(200 if result.replayed else 201, body)
