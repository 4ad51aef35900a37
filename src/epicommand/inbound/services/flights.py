"""Flights, their landing and diversion, and the circuit breaker on their routes.

    flight = flights.register_flight(staff, number="CA868", arrival_date=day,
                                     airline="Air China", origin="Moscow", port="SJW")
    flights.review_breaker(flight)          # after a positive: a proposal, or None
    flights.confirm_suspension(office, suspension)

The breaker counts a flight's passengers whose positive falls within the rule's days of
the arrival (core.policy BREAKER_RULES); the platform proposes, the city's command office
confirms or dismisses. A flight of a route under a confirmed suspension is refused."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, notifications, policy
from epicommand.core.access import Capability, require, scope_code
from epicommand.core.masking import mask_id_number
from epicommand.core.models import Region, Unit

from ..breaker import propose, suspended_on
from ..models import Arrival, Flight, Route, Suspension

C = Capability
S = Suspension.Status
MAX_DAYS_AHEAD = 30


def _text(value, field: str, limit: int, errors: dict, *, required=True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) or "\x00" in value or len(text) > limit:
        errors[field] = _("must be text of at most %(n)d characters") % {"n": limit}
    elif required and not text:
        errors[field] = _("is required")
    return text


def city_code() -> str | None:
    return Region.objects.filter(level=Region.Level.CITY).values_list("code", flat=True).first()


def confirmed_spans(route: Route) -> list[tuple[date, date]]:
    return list(route.suspensions.filter(status=S.CONFIRMED).values_list("starts_on", "ends_on"))


def is_suspended(route: Route, day: date) -> bool:
    return suspended_on(confirmed_spans(route), day)


@transaction.atomic
def register_flight(
    actor, *, number, arrival_date, airline, origin, port, now: datetime | None = None
) -> Flight:
    """A flight expected at the port (its manifest may then be imported). Refused for a
    route whose suspension is confirmed on that day."""
    require(actor, C.WORK_PORT)
    now = now or timezone.now()
    errors: dict = {}
    number = _text(number, "number", 10, errors).upper().replace(" ", "")
    airline = _text(airline, "airline", 60, errors)
    origin = _text(origin, "origin", 60, errors)
    port = _text(port, "port", 60, errors)
    if not isinstance(arrival_date, date):
        errors["arrival_date"] = _("must be a date")
    elif arrival_date > timezone.localdate(now) + timedelta(days=MAX_DAYS_AHEAD):
        errors["arrival_date"] = _("is more than 30 days ahead")
    region = scope_code(actor)
    unit_id = getattr(actor, "unit_id", None)
    if region is None or unit_id is None:
        errors["port"] = _("your account has no unit and region to receive flights")
    if errors:
        raise ValidationError(errors)
    if Flight.objects.filter(number=number, arrival_date=arrival_date).exists():
        raise ValidationError(
            {"number": _("flight %(f)s of that day is registered") % {"f": number}}
        )
    route, _created = Route.objects.get_or_create(airline=airline, origin=origin, port=port)
    if is_suspended(route, arrival_date):
        raise ValidationError(
            {"number": _("route %(r)s is suspended on that day: divert the flight") % {"r": route}}
        )
    flight = Flight.objects.create(
        route=route,
        number=number,
        arrival_date=arrival_date,
        region_id=region,
        port_unit_id=unit_id,
        created_at=now,
    )
    audit.record(actor, "flight.register", flight, reason=str(route))
    return flight


def _flight_locked(actor, flight: Flight) -> Flight:
    require(actor, C.WORK_PORT, region=flight.region_id)
    return Flight.objects.select_for_update(of=("self",)).select_related("route").get(pk=flight.pk)


@transaction.atomic
def record_landing(actor, flight: Flight, *, at: datetime | None = None) -> Flight:
    flight = _flight_locked(actor, flight)
    at = at or timezone.now()
    if flight.status != Flight.Status.SCHEDULED:
        raise ValidationError(
            {"status": _("the flight is %(s)s") % {"s": flight.get_status_display()}}
        )
    if at > timezone.now():
        raise ValidationError({"landed_at": _("is in the future")})
    flight.status, flight.landed_at = Flight.Status.LANDED, at
    flight.save(update_fields=["status", "landed_at"])
    audit.record(actor, "flight.land", flight)
    return flight


@transaction.atomic
def record_diversion(actor, flight: Flight, *, to_port, manifest_handed_to) -> Flight:
    """The flight is sent to another port; its manifest is handed over there."""
    flight = _flight_locked(actor, flight)
    errors: dict = {}
    to_port = _text(to_port, "to_port", 60, errors)
    manifest_handed_to = _text(manifest_handed_to, "manifest_handed_to", 100, errors)
    if flight.status != Flight.Status.SCHEDULED:
        errors["status"] = _("the flight is %(s)s") % {"s": flight.get_status_display()}
    if errors:
        raise ValidationError(errors)
    flight.status = Flight.Status.DIVERTED
    flight.diverted_to, flight.manifest_handed_to = to_port, manifest_handed_to
    flight.diverted_at = timezone.now()
    flight.save(update_fields=["status", "diverted_to", "manifest_handed_to", "diverted_at"])
    audit.record(
        actor, "flight.divert", flight, reason=f"to {to_port}, manifest to {manifest_handed_to}"
    )
    return flight


# The circuit breaker ----------------------------------------------------------------------


def counted_positives(flight: Flight, rule) -> list[Arrival]:
    """The flight's passengers (crew apart) positive within the rule's days of arrival."""
    start = datetime.combine(
        flight.arrival_date, datetime.min.time(), tzinfo=timezone.get_default_timezone()
    )
    until = start + timedelta(days=rule.count_days + 1)
    return list(
        flight.arrivals.filter(
            is_crew=False, positive_at__isnull=False, positive_at__lt=until
        ).order_by("positive_at")
    )


def review_breaker(flight: Flight, *, rule=None, now: datetime | None = None) -> Suspension | None:
    """Propose the suspension the flight's positives call for (the platform does this after
    each positive); the command office is told. None when nothing more is called for."""
    rule = rule or policy.breaker_rule()
    now = now or timezone.now()
    with transaction.atomic():
        route = Route.objects.select_for_update().get(pk=flight.route_id)
        positives = counted_positives(flight, rule)
        standing = route.suspensions.exclude(status=S.DISMISSED)
        weeks_already = sum(s.weeks for s in standing.filter(flight=flight))
        until = standing.aggregate(end=Max("ends_on"))["end"]
        proposal = propose(
            rule,
            len(positives),
            weeks_already=weeks_already,
            earliest=timezone.localdate(now) + timedelta(days=1),
            suspended_until=until,
        )
        if proposal is None:
            return None
        suspension = Suspension.objects.create(
            route=route,
            flight=flight,
            rule=rule.code,
            positives=len(positives),
            weeks=proposal.weeks,
            starts_on=proposal.starts_on,
            ends_on=proposal.ends_on,
            evidence=[_evidence(a) for a in positives],
            proposed_at=now,
        )
        audit.record(
            None,
            "suspension.propose",
            suspension,
            region_code=flight.region_id,
            reason=f"{flight}: {len(positives)} positives, {rule.name}",
        )
        counters.bump("suspensions_proposed", flight.region_id)
        _tell_office(suspension, flight)
    return suspension


def _evidence(arrival: Arrival) -> dict:
    return {
        "arrival": arrival.pk,
        "seat": arrival.seat,
        "document": mask_id_number(arrival.document),
        "positive_at": timezone.localtime(arrival.positive_at).isoformat(timespec="minutes"),
    }


def _tell_office(suspension: Suspension, flight: Flight) -> None:
    office = Unit.objects.filter(region_id=city_code(), kind=Unit.Kind.COMMAND_OFFICE).first()
    if office is not None:
        message = _(
            "Circuit breaker: %(flight)s had %(n)d positives; suspend %(route)s %(w)d weeks?"
        ) % {
            "flight": flight,
            "n": suspension.positives,
            "route": suspension.route,
            "w": suspension.weeks,
        }
        notifications.notify(office, message, "/inbound/flights/")


def _decide(actor, suspension: Suspension, status: str) -> Suspension:
    require(actor, C.CONFIRM_SUSPENSIONS, region=city_code(), person=True)
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.status != S.PROPOSED:
            raise ValidationError(
                {
                    "status": _("the suspension is already %(s)s")
                    % {"s": suspension.get_status_display()}
                }
            )
        suspension.status, suspension.decided_at, suspension.decided_by = (
            status,
            timezone.now(),
            actor,
        )
        suspension.save(update_fields=["status", "decided_at", "decided_by"])
        audit.record(
            actor,
            f"suspension.{status}",
            suspension,
            region_code=city_code(),
            reason=str(suspension),
        )
        counters.bump("suspensions_proposed", suspension.flight.region_id, -1)
    return suspension


def confirm_suspension(actor, suspension: Suspension) -> Suspension:
    """The city's command office confirms the breaker: the route takes no flights then."""
    return _decide(actor, suspension, S.CONFIRMED)


def dismiss_suspension(actor, suspension: Suspension) -> Suspension:
    return _decide(actor, suspension, S.DISMISSED)
