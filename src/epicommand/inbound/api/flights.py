"""/api/v1/inbound/flights and /suspensions: flights expected at the port, their landing
and diversion, manifests (CSV, XLSX, JSON), the breaker's suspensions and their decision.
Flights are scoped by the port's region; suspensions are the city's."""

from datetime import date, datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, FieldError
from epicommand.core.keyset import MAX_ID

from .. import queries
from ..models import Flight, Suspension
from ..services import flights as services
from ..services.exchange import import_exchange
from ..services.manifests import MAX_LISTED_ERRORS, import_manifest

router = Router(tags=["inbound flights"])
C = Capability
ID = Path(..., ge=1, le=MAX_ID)


class FlightIn(Schema):
    number: str = Field(..., max_length=10)
    arrival_date: date
    airline: str = Field(..., max_length=60)
    origin: str = Field(..., max_length=60)
    port: str = Field(..., max_length=60)


class FlightOut(Schema):
    id: int
    number: str
    arrival_date: date
    airline: str
    origin: str
    port: str
    status: str
    landed_at: datetime | None
    diverted_to: str
    manifest_handed_to: str
    passengers: int | None = None
    positives: int | None = None
    route_suspended: bool

    @staticmethod
    def resolve_airline(flight) -> str:
        return flight.route.airline

    @staticmethod
    def resolve_origin(flight) -> str:
        return flight.route.origin

    @staticmethod
    def resolve_port(flight) -> str:
        return flight.route.port

    @staticmethod
    def resolve_route_suspended(flight) -> bool:
        return services.is_suspended(flight.route, timezone.localdate())


class DiversionIn(Schema):
    to_port: str = Field(..., max_length=60)
    manifest_handed_to: str = Field(..., max_length=100)


class LandingIn(Schema):
    landed_at: datetime | None = None


class ManifestOut(Schema):
    created: int
    already: int
    matched: int


class ManifestRowError(FieldError):
    line: int | None = Field(None, description="1-based line (JSON: item); 0 is the file")
    column: str | None = None


class ManifestErrorOut(Schema):
    detail: str
    error_count: int | None = Field(
        None, description=f"every error; `errors` lists the first {MAX_LISTED_ERRORS}"
    )
    errors: list[ManifestRowError] = []


class SuspensionOut(Schema):
    id: int
    route: str
    flight: str
    rule: str
    positives: int
    weeks: int
    starts_on: date
    ends_on: date
    status: str
    evidence: list[dict]

    @staticmethod
    def resolve_route(s) -> str:
        return str(s.route)

    @staticmethod
    def resolve_flight(s) -> str:
        return str(s.flight)


def _flight(request, flight_id: int) -> Flight:
    require(request.auth, C.VIEW_INBOUND)
    return get_object_or_404(
        Flight.objects.visible_to(request.auth).select_related("route"), pk=flight_id
    )


@router.post("/flights", response={201: FlightOut, **ERRORS}, summary="Register a flight")
def register_flight(request, payload: FlightIn):
    """A flight expected at the port; refused on a day its route is suspended."""
    return Status(201, services.register_flight(request.auth, **payload.dict()))


@router.get(
    "/flights", response={200: list[FlightOut], **ERRORS}, summary="Flights with their positives"
)
def list_flights(request, days: int = Query(14, ge=1, le=90)):
    require(request.auth, C.VIEW_INBOUND)
    today = timezone.localdate()
    return list(
        queries.flights_with_positives(
            request.auth, since=today - timedelta(days=days), until=today + timedelta(days=30)
        )[:500]
    )


@router.post(
    "/flights/{flight_id}/landing",
    response={200: FlightOut, **ERRORS},
    summary="Record the landing",
)
def record_landing(request, payload: LandingIn, flight_id: int = ID):
    return services.record_landing(request.auth, _flight(request, flight_id), at=payload.landed_at)


@router.post(
    "/flights/{flight_id}/diversion",
    response={200: FlightOut, **ERRORS},
    summary="Record a diversion",
)
def record_diversion(request, payload: DiversionIn, flight_id: int = ID):
    """The flight was sent to another port; say to whom its manifest was handed."""
    return services.record_diversion(request.auth, _flight(request, flight_id), **payload.dict())


@router.post(
    "/manifests",
    response={201: ManifestOut, **ERRORS, 422: ManifestErrorOut},
    summary="Import a flight manifest (CSV, XLSX or JSON)",
)
def import_manifest_file(request, file: File[UploadedFile]):
    """Every passenger of the file, or none: errors name line, column and reason. The same
    manifest again adds nothing (`already`). Columns: flight_number, date (YYYY-MM-DD),
    airline, origin, seat, document, name, nationality, destination_address, region_code;
    optional crew (yes/no) and risk (overseas, high, medium, low; default overseas). JSON:
    a list of objects with those keys, or {"passengers": [...]}; its "line" is the item's
    1-based position."""
    require(request.auth, C.WORK_PORT)
    result = import_manifest(request.auth, file, file.name or "")
    return _refused(result) if result.error_count else Status(201, result)


@router.post(
    "/exchanges",
    response={201: ManifestOut, **ERRORS, 422: ManifestErrorOut},
    summary="Import an exchange file of travellers from another city (CSV, XLSX or JSON)",
)
def import_exchange_file(request, file: File[UploadedFile]):
    """Every traveller of the file, or none: errors name line, column and reason. The same
    file again adds nothing (`already`). Columns: document, name, phone, from, risk
    (overseas, high, medium, low), arrived_at (ISO 8601, Beijing time without an offset),
    destination_address, region_code (inside your jurisdiction); optional mode (flight,
    train, road; default road), trip_number, nationality. JSON: a list of objects with
    those keys, or {"travellers": [...]}."""
    require(request.auth, C.WORK_PORT)
    result = import_exchange(request.auth, file, file.name or "")
    return _refused(result) if result.error_count else Status(201, result)


def _refused(result):
    return Status(
        422,
        {
            "detail": f"{result.error_count} errors; nothing was imported",
            "error_count": result.error_count,
            "errors": [
                {
                    "field": f"line {e.line}: {e.column}" if e.column else f"line {e.line}",
                    "message": e.message,
                    "line": e.line,
                    "column": e.column,
                }
                for e in result.errors
            ],
        },
    )


@router.get(
    "/suspensions", response={200: list[SuspensionOut], **ERRORS}, summary="Route suspensions"
)
def list_suspensions(
    request, status: str | None = Query(None, pattern="^(proposed|confirmed|dismissed)$")
):
    require(request.auth, C.VIEW_INBOUND)
    return list(queries.suspensions(statuses=[status] if status else None)[:200])


def _suspension(request, suspension_id: int) -> Suspension:
    require(request.auth, C.VIEW_INBOUND)
    return get_object_or_404(Suspension, pk=suspension_id)


@router.post(
    "/suspensions/{suspension_id}/confirm",
    response={200: SuspensionOut, **ERRORS},
    summary="Confirm a suspension",
)
def confirm_suspension(request, suspension_id: int = ID):
    """The city's command office confirms the breaker's proposal (a person's account)."""
    return services.confirm_suspension(request.auth, _suspension(request, suspension_id))


@router.post(
    "/suspensions/{suspension_id}/dismiss",
    response={200: SuspensionOut, **ERRORS},
    summary="Dismiss a suspension",
)
def dismiss_suspension(request, suspension_id: int = ID):
    return services.dismiss_suspension(request.auth, _suspension(request, suspension_id))
