"""/api/v1/inbound/arrivals, /handovers and /loop: the destination county's arrivals
(another county's are 404), the port desk's registration, each step of the closed loop,
a positive passenger, the handovers addressed to one's unit and the closed-loop board.
Lists show masked identities; one arrival's detail shows them in full and is audited."""

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.core.models import Unit
from epicommand.people.models import Person
from epicommand.quarantine.models import Site

from .. import queries
from ..models import Arrival, Flight, Handover
from ..services import arrivals as services
from ..services import loop, positives

router = Router(tags=["inbound arrivals"])
C = Capability
ID = Path(..., ge=1, le=MAX_ID)


class ArrivalIn(Schema):
    mode: Literal["flight", "train", "road"]
    flight_id: int | None = Field(None, ge=1, le=MAX_ID)
    seat: str = Field("", max_length=6)
    is_crew: bool = False
    document: str = Field(..., max_length=20)
    name: str = Field(..., max_length=100)
    nationality: str = Field("", max_length=3)
    origin: str = Field(..., max_length=60, description="a country, or a domestic region")
    risk: Literal["overseas", "high", "medium", "low"]
    destination_address: str = Field(..., max_length=200)
    region_code: str = Field(..., pattern=r"^[0-9]{6,12}$")
    arrived_at: datetime


class ArrivalOut(Schema):
    id: int
    masked_name: str
    masked_document: str
    source: str = Field(description="manifest, port_desk, declaration, checkpoint, exchange")
    mode: str
    flight: str | None
    trip_number: str = Field(description="a declaration's flight or train number")
    seat: str
    is_crew: bool
    origin: str
    risk: str
    region_code: str = Field(alias="region_id")
    arrived_at: datetime
    stage: str
    stage_at: datetime
    positive_at: datetime | None
    has_person: bool

    @staticmethod
    def resolve_masked_name(a) -> str:
        return mask_name(a.name)

    @staticmethod
    def resolve_masked_document(a) -> str:
        return mask_id_number(a.document)

    @staticmethod
    def resolve_flight(a) -> str | None:
        return str(a.flight) if a.flight_id else None

    @staticmethod
    def resolve_has_person(a) -> bool:
        return a.person_id is not None


class ArrivalDetailOut(ArrivalOut):
    name: str
    document: str
    phone: str
    nationality: str
    destination_address: str
    person_id: int | None
    stay_id: int | None


class ArrivalPage(Schema):
    items: list[ArrivalOut]
    next_after: int | None


class BoardRow(ArrivalOut):
    late: bool
    alarmed: bool


class BoardOut(Schema):
    items: list[BoardRow]
    next_after: int | None
    by_stage: dict[str, int]
    open_alarms: int


class TransferIn(Schema):
    transfer_unit_id: int = Field(..., ge=1, le=MAX_ID)
    site_id: int = Field(..., ge=1, le=MAX_ID)
    vehicle: str = Field(..., max_length=30)


class CommunityIn(Schema):
    community_unit_id: int = Field(..., ge=1, le=MAX_ID)


class ArrivalPersonIn(Schema):
    person_id: int = Field(..., ge=1, le=MAX_ID)


class ArrivalStepIn(Schema):
    at: datetime | None = None


class HandoverOut(Schema):
    id: int
    arrival_id: int
    masked_name: str
    step: str
    to_unit: str
    site_id: int | None
    vehicle: str
    handed_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None

    @staticmethod
    def resolve_masked_name(h) -> str:
        return mask_name(h.arrival.name)

    @staticmethod
    def resolve_to_unit(h) -> str:
        return h.to_unit.name


def _arrival(request, arrival_id: int) -> Arrival:
    require(request.auth, C.VIEW_INBOUND)
    return get_object_or_404(
        queries.arrivals_of(request.auth).select_related("flight"), pk=arrival_id
    )


def _unit(unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id)


@router.post(
    "/arrivals",
    response={201: ArrivalDetailOut, **ERRORS},
    summary="Register an arrival (port desk)",
)
def register_arrival(request, payload: ArrivalIn):
    """One traveller at the port desk, or from a checkpoint's or another city's list. A
    registered person holding the document is linked; the health-code fact follows."""
    fields = payload.dict()
    flight_id = fields.pop("flight_id")
    flight = (
        get_object_or_404(Flight.objects.visible_to(request.auth), pk=flight_id)
        if flight_id
        else None
    )
    source = "port_desk"
    return Status(
        201, services.register_arrival(request.auth, source=source, flight=flight, **fields)
    )


@router.get("/arrivals", response={200: ArrivalPage, **ERRORS}, summary="The county's arrivals")
def list_arrivals(
    request,
    region: str | None = region_filter(),
    stage: str | None = Query(None, max_length=20),
    after: int = Query(0, ge=0, le=MAX_ID),
):
    require(request.auth, C.VIEW_INBOUND)
    rows, next_after = queries.arrival_page(
        request.auth, region=region or "", stage=stage or "", after=after
    )
    return {"items": rows, "next_after": next_after}


@router.get(
    "/arrivals/{arrival_id}", response={200: ArrivalDetailOut, **ERRORS}, summary="One arrival"
)
def get_arrival(request, arrival_id: int = ID):
    """In full; every call is audited."""
    arrival = _arrival(request, arrival_id)
    audit.record(request.auth, "arrival.view", arrival, reason="api")
    return arrival


@router.post(
    "/arrivals/{arrival_id}/person",
    response={200: ArrivalDetailOut, **ERRORS},
    summary="Link the registered person",
)
def link_person(request, payload: ArrivalPersonIn, arrival_id: int = ID):
    arrival = _arrival(request, arrival_id)
    person = get_object_or_404(Person.objects.visible_to(request.auth), pk=payload.person_id)
    return services.link_person(request.auth, arrival, person)


@router.post(
    "/arrivals/{arrival_id}/port-test",
    response={200: ArrivalDetailOut, **ERRORS},
    summary="Sampled at the port",
)
def port_test(request, payload: ArrivalStepIn, arrival_id: int = ID):
    return loop.record_port_test(request.auth, _arrival(request, arrival_id), at=payload.at)


@router.post(
    "/arrivals/{arrival_id}/transfer",
    response={201: list[HandoverOut], **ERRORS},
    summary="Hand to a transfer vehicle",
)
def hand_to_transfer(request, payload: TransferIn, arrival_id: int = ID):
    arrival = _arrival(request, arrival_id)
    site = get_object_or_404(Site, pk=payload.site_id)
    handovers = loop.hand_to_transfer(
        request.auth,
        arrival,
        transfer_unit=_unit(payload.transfer_unit_id),
        site=site,
        vehicle=payload.vehicle,
    )
    return Status(201, handovers)


@router.post(
    "/arrivals/{arrival_id}/positive",
    response={200: ArrivalDetailOut, **ERRORS},
    summary="A positive result",
)
def record_positive(request, payload: ArrivalStepIn, arrival_id: int = ID):
    """The breaker reviews the flight, tracing gets the case and its co-passengers."""
    return positives.record_positive(request.auth, _arrival(request, arrival_id), at=payload.at)


@router.post(
    "/arrivals/{arrival_id}/release-to-community",
    response={201: HandoverOut, **ERRORS},
    summary="Release from the site to the community",
)
def release_to_community(request, payload: CommunityIn, arrival_id: int = ID):
    arrival = _arrival(request, arrival_id)
    handover = loop.release_to_community(
        request.auth, arrival, community_unit=_unit(payload.community_unit_id)
    )
    return Status(201, handover)


@router.post(
    "/arrivals/{arrival_id}/release",
    response={200: ArrivalDetailOut, **ERRORS},
    summary="End of home monitoring",
)
def end_loop(request, arrival_id: int = ID):
    return loop.end_loop(request.auth, _arrival(request, arrival_id))


@router.get(
    "/handovers",
    response={200: list[HandoverOut], **ERRORS},
    summary="Handovers addressed to my unit",
)
def list_handovers(request):
    require(request.auth, C.RECEIVE_TRAVELLERS)
    return list(queries.handovers_to(request.auth, unit_id=getattr(request.auth, "unit_id", None)))


@router.post(
    "/handovers/{handover_id}/acknowledge",
    response={200: HandoverOut, **ERRORS},
    summary="Acknowledge a handover",
)
def acknowledge(request, payload: ArrivalStepIn, handover_id: int = ID):
    """The receiving unit takes the traveller over; at the site the stay starts."""
    require(request.auth, C.RECEIVE_TRAVELLERS)
    handover = get_object_or_404(Handover.objects.visible_to(request.auth), pk=handover_id)
    return loop.acknowledge(request.auth, handover, at=payload.at)


@router.get("/loop", response={200: BoardOut, **ERRORS}, summary="The closed-loop board")
def board(
    request,
    region: str | None = region_filter(),
    late: bool = False,
    after: int = Query(0, ge=0, le=MAX_ID),
):
    require(request.auth, C.VIEW_INBOUND)
    found = queries.loop_board(request.auth, region=region or "", late_only=late, after=after)
    return {
        "items": found.rows,
        "next_after": found.next_after,
        "by_stage": found.by_stage,
        "open_alarms": found.late_count,
    }
