"""Arrivals one at a time (the port desk, the resident's own declaration, a checkpoint
passage, an exchange file's line) and what every arrival brings, however it came: the
health-code fact of where the traveller came from, the closed loop for an overseas or
high-risk origin, and its place on the destination county's list.

    arrival = arrivals.register_arrival(staff, source="port_desk", mode="flight",
        flight=flight, seat="12C", document="E12345678", name="王芳", nationality="CHN",
        origin="Moscow", risk="overseas", destination_address="...", region_code=code)

Facts (control.healthcode): overseas and high-risk origins a `high_risk_visit` at the
arrival (red 14 days, then yellow 7 under the 8th edition), medium-risk a
`medium_risk_visit`; low-risk none. A traveller not yet registered as a person gets the
fact when the port desk links the person (`link_person`)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core import audit, counters, intake, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import Region
from epicommand.people import lookup
from epicommand.people.models import Person

from ..models import Arrival, Flight, Mode, Risk, Source, Stage
from .flights import _text

C = Capability
FACT_OF_RISK = {
    Risk.OVERSEAS: FactKind.HIGH_RISK_VISIT,
    Risk.HIGH: FactKind.HIGH_RISK_VISIT,
    Risk.MEDIUM: FactKind.MEDIUM_RISK_VISIT,
}
IN_LOOP = (Risk.OVERSEAS, Risk.HIGH)


def arrival_time_problem(arrived_at: datetime, now: datetime) -> str | None:
    """Why an arrival time is refused, by the platform's one rule for times (the clock's
    skew ahead), with the policy's days an arrival may still be entered (a late manifest,
    an exchange file)."""
    entry = timedelta(days=policy.active().arrival_entry_days)
    return intake.time_problem(arrived_at, now, max_age=entry)


def first_stage(risk: str) -> str:
    return Stage.LANDED if risk in IN_LOOP else Stage.NOT_IN_LOOP


def fact_of(arrival: Arrival) -> healthcode.NewFact | None:
    kind = FACT_OF_RISK.get(arrival.risk)
    if kind is None or arrival.person_id is None:
        return None
    return healthcode.NewFact(
        person_id=arrival.person_id,
        region_id=arrival.person.region_id if arrival.person else arrival.region_id,
        kind=kind,
        started_at=arrival.arrived_at,
        ended_at=arrival.arrived_at,
        source=f"arrival {arrival.pk}",
        source_key=f"arrival:{arrival.pk}",
        detail=_("arrived from %(o)s") % {"o": arrival.origin},
    )


def record_facts(arrivals) -> None:
    facts = [f for f in (fact_of(a) for a in arrivals) if f is not None]
    if facts:
        healthcode.record_facts(facts)


def count_new(arrivals) -> None:
    """The dashboard's counters for arrivals just written."""
    for arrival in arrivals:
        counters.bump("arrivals", arrival.region_id, day=timezone.localdate(arrival.arrived_at))
        if arrival.stage in (Stage.LANDED,):
            counters.bump("travellers_in_loop", arrival.region_id)


def arrival_errors(data: dict, *, now: datetime) -> dict[str, str]:
    """What is wrong with one arrival's fields (shared by every source)."""
    errors: dict[str, str] = {}
    data["document"] = lookup.normalised(_text(data.get("document"), "document", 20, errors))
    data["name"] = _text(data.get("name"), "name", 100, errors)
    data["nationality"] = _text(
        data.get("nationality", ""), "nationality", 3, errors, required=False
    ).upper()
    data["origin"] = _text(data.get("origin"), "origin", 60, errors)
    data["destination_address"] = _text(
        data.get("destination_address"), "destination_address", 200, errors
    )
    data["seat"] = _text(data.get("seat", ""), "seat", 6, errors, required=False).upper()
    if data.get("mode") not in Mode.values:
        errors["mode"] = _("must be one of: %(v)s") % {"v": ", ".join(Mode.values)}
    if data.get("risk") not in Risk.values:
        errors["risk"] = _("must be one of: %(v)s") % {"v": ", ".join(Risk.values)}
    arrived_at = data.get("arrived_at")
    if not isinstance(arrived_at, datetime) or timezone.is_naive(arrived_at):
        errors["arrived_at"] = _("must be a date and time with its time zone")
    elif problem := arrival_time_problem(arrived_at, now):
        errors["arrived_at"] = problem
    code = data.get("region_code")
    if not isinstance(code, str) or not Region.objects.filter(code=code).exists():
        errors["region_code"] = _("is not a region code")
    return errors


@transaction.atomic
def register_arrival(
    actor,
    *,
    source: str,
    flight: Flight | None = None,
    key: str = "",
    person: Person | None = None,
    now: datetime | None = None,
    **fields,
) -> Arrival:
    """One arrival, by the port desk (or, with `actor` None, the platform for a resident's
    declaration or a checkpoint). The same `key` again returns the arrival it made."""
    now = now or timezone.now()
    require(actor, C.WORK_PORT, platform=True)
    errors = arrival_errors(fields, now=now)
    if source not in Source.values:
        errors["source"] = _("must be one of: %(v)s") % {"v": ", ".join(Source.values)}
    if flight is not None and fields.get("mode") != Mode.FLIGHT:
        errors["mode"] = _("a flight's passenger came by flight")
    if errors:
        raise ValidationError(errors)
    if actor is not None and not covers(actor, fields["region_code"]):
        raise ValidationError({"region_code": _("is outside your jurisdiction")})
    if flight is not None:
        key = key or f"manifest:{flight.number}:{flight.arrival_date}:{fields['document']}"
        _check_seat(flight, fields["seat"], fields["document"])
    key = key or f"{source}:{fields['document']}:{fields['arrived_at']:%Y%m%d%H%M}"
    existing = Arrival.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if person is None:
        person = (
            lookup.find_outside_jurisdiction(
                actor, fields["document"], purpose=lookup.Purpose.PORT_ARRIVAL
            )
            if actor
            else None
        )
    arrival = Arrival.objects.create(
        key=key,
        source=source,
        mode=fields["mode"],
        flight=flight,
        seat=fields["seat"],
        trip_number=fields.get("trip_number", ""),
        is_crew=bool(fields.get("is_crew")),
        document=fields["document"],
        name=fields["name"],
        nationality=fields["nationality"],
        origin=fields["origin"],
        risk=fields["risk"],
        person=person,
        destination_address=fields["destination_address"],
        region_id=fields["region_code"],
        arrived_at=fields["arrived_at"],
        stage=first_stage(fields["risk"]),
        stage_at=fields["arrived_at"],
        port_unit_id=getattr(actor, "unit_id", None) or (flight.port_unit_id if flight else None),
        created_at=now,
    )
    record_facts([arrival])
    count_new([arrival])
    audit.record(actor, "arrival.register", arrival, reason=f"{source}, from {arrival.origin}")
    return arrival


def _check_seat(flight: Flight, seat: str, document: str) -> None:
    if seat and flight.arrivals.filter(seat=seat).exclude(document=document).exists():
        raise ValidationError(
            {"seat": _("seat %(s)s of %(f)s is another passenger's") % {"s": seat, "f": flight}}
        )


@transaction.atomic
def link_person(actor, arrival: Arrival, person: Person) -> Arrival:
    """The port desk registers the traveller as a person (people.services) and links
    them: the arrival's fact follows at once."""
    require(actor, C.WORK_PORT, region=arrival.region_id)
    if arrival.person_id is not None:
        raise ValidationError({"person": _("the arrival already names its person")})
    held = {lookup.normalised(person.id_number), lookup.normalised(person.passport_number)}
    if arrival.document not in held:
        raise ValidationError({"person": _("holds another document than the arrival's")})
    arrival.person = person
    arrival.save(update_fields=["person"])
    record_facts([arrival])
    audit.record(actor, "arrival.link_person", arrival)
    return arrival
