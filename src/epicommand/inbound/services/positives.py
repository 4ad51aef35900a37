"""A passenger tests positive (DOMAIN "Inbound": Beijing's rule of 2021). The change is
the arrival's positive and its audit event; what follows runs after commit
(core.followups, kind FLIGHT_POSITIVE, reaction in inbound.tasks): the circuit breaker
reviews the flight, the passenger is a case in tracing, the co-passengers within the
policy's rows of the seat (or the whole flight) and the crew are its close contacts at
once, and their quarantine stays get the policy's extra days."""

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, followups, policy
from epicommand.core.access import Capability, require
from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, Stay
from epicommand.quarantine.services import stays
from epicommand.tracing.models import Classification, DetectionRoute, FoundBy, Setting
from epicommand.tracing.services import cases, contacts

from ..models import Arrival
from .flights import review_breaker

C = Capability
FLIGHT_POSITIVE = "arrival.positive"
_ROW = re.compile(r"^(\d+)")


@transaction.atomic
def record_positive(actor, arrival: Arrival, *, at: datetime | None = None) -> Arrival:
    require(actor, C.WORK_PORT, C.INVESTIGATE, region=arrival.region_id)
    arrival = Arrival.objects.select_for_update().get(pk=arrival.pk)
    now = timezone.now()
    at = at or now
    if at > now or at < arrival.arrived_at:
        raise ValidationError({"at": _("must lie between the arrival and now")})
    if arrival.positive_at is not None:
        raise ValidationError({"positive_at": _("the positive is recorded already")})
    arrival.positive_at = at
    arrival.save(update_fields=["positive_at"])
    audit.record(actor, "arrival.positive", arrival)
    followups.after_commit(FLIGHT_POSITIVE, arrival, changed_at=at)
    return arrival


def row_of(seat: str) -> int | None:
    match = _ROW.match(seat or "")
    return int(match.group(1)) if match else None


def co_passengers(arrival: Arrival, *, rows: int, crew: bool) -> list[Arrival]:
    """Who on the flight the rule makes contacts: passengers within `rows` rows of the
    seat (0: the whole flight), and the crew when `crew`."""
    others = Arrival.objects.filter(flight_id=arrival.flight_id).exclude(pk=arrival.pk)
    found = []
    row = row_of(arrival.seat)
    for other in others.select_related("person"):
        if other.is_crew:
            if crew:
                found.append(other)
        elif rows == 0 or row is None:
            found.append(other)
        elif (r := row_of(other.seat)) is not None and abs(r - row) <= rows:
            found.append(other)
    return found


def follow_positive(arrival_id: int, changed_at: datetime) -> None:
    """The platform's reaction to a positive passenger (see the module's text)."""
    arrival = Arrival.objects.select_related("person", "flight").get(pk=arrival_id)
    if arrival.flight_id is not None:
        review_breaker(arrival.flight)
    if arrival.person is None:
        return  # not registered as a person yet: the port desk links them, tracing follows
    case = _case_of(arrival, changed_at)
    if arrival.flight_id is None:
        return
    edition = policy.active()
    chosen = co_passengers(
        arrival, rows=edition.flight_contact_rows, crew=edition.flight_contact_crew
    )
    persons = [a.person for a in chosen if a.person is not None]
    contacts.add_contacts_by_rule(
        case,
        persons,
        setting=Setting.VEHICLE,
        found_by=FoundBy.CHECKPOINT,
        last_exposure_at=arrival.arrived_at,
        note=_("flight %(f)s, seat %(s)s") % {"f": arrival.flight, "s": arrival.seat or "-"},
    )
    active = Stay.objects.filter(
        person__in=[p.pk for p in persons], status__in=ACTIVE_STAY_STATUSES
    )
    stays.extend_stays(
        None,
        list(active),
        days=edition.flight_contact_extra_days,
        reason=_("a positive on flight %(f)s") % {"f": arrival.flight},
    )


def _case_of(arrival: Arrival, at: datetime):
    try:
        return cases.register_case(
            None,
            arrival.person,
            classification=Classification.ASYMPTOMATIC,
            detection_route=DetectionRoute.INBOUND,
            sampling_date=timezone.localdate(at),
            reported_at=at,
            source_key=f"arrival:{arrival.pk}",
        )
    except cases.CaseExists as exists:
        return exists.case
