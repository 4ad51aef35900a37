"""A resident's own declaration of arriving (the public page /arrive/, after the resident
proved who they are through control.identity, as for their health code): how they came
(flight, train with its number, or road), from where (a country, or a domestic region
with its risk level), when, and where they go in the city.

    arrival = declared.declare(person, mode="train", trip_number="G6701",
        origin="北京市朝阳区", risk="medium", arrived_at=..., destination_address="...",
        region_code="130109104")

It is an arrival like any other (arrivals.register_arrival, by the platform on the
resident's word): on the destination county's list, with the health-code fact of the
origin's risk. The same trip declared again (person, day, how and by what number or from
where) is the arrival made the first time. A declaration more than the edition's
`arrival_declaration_days` old is refused: past that the arrival no longer matters."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, intake, policy
from epicommand.people.models import Person

from ..models import Arrival, Mode, Source
from . import arrivals

TRIP_NUMBER = re.compile(r"^[A-Z0-9]{2,10}$")


def declare(
    person: Person,
    *,
    mode: str,
    trip_number: str = "",
    origin: str,
    risk: str,
    arrived_at: datetime | None,
    destination_address: str,
    region_code: str,
    now: datetime | None = None,
) -> Arrival:
    """The resident `person`'s arrival, as they declare it. Errors name the field."""
    now = now or timezone.now()
    if isinstance(arrived_at, datetime) and timezone.is_naive(arrived_at):
        arrived_at = timezone.make_aware(arrived_at)  # as the page shows it: Beijing time
    trip_number = "".join((trip_number or "").split()).upper()
    errors = _trip_errors(mode, trip_number) | _age_errors(arrived_at, now)
    if errors:
        raise ValidationError(errors)
    origin_text = " ".join((origin or "").split())
    day = timezone.localdate(arrived_at)
    key = f"declaration:{person.pk}:{day:%Y%m%d}:{mode}:{trip_number or origin_text}"[:100]
    existing = Arrival.objects.filter(key=key).first()
    if existing is not None:
        return existing
    _check_daily_limit(person, now)
    arrival = arrivals.register_arrival(
        None,
        source=Source.DECLARATION,
        key=key,
        person=person,
        mode=mode,
        trip_number=trip_number,
        document=person.id_number or person.passport_number,
        name=person.name,
        nationality=person.nationality,
        origin=origin_text,
        risk=risk,
        destination_address=destination_address,
        region_code=region_code,
        arrived_at=arrived_at,
        now=now,
    )
    audit.record(None, "arrival.declare", arrival, reason=f"declared by the resident {person.pk}")
    return arrival


def daily_limit() -> int:
    """New declarations a resident may make in a day: an abuse limit of the public page
    (one person declaring trips without end), not an epidemiological number."""
    return getattr(settings, "ARRIVAL_DECLARATIONS_PER_DAY", 5)


def _check_daily_limit(person: Person, now: datetime) -> None:
    made = Arrival.objects.filter(
        person=person, source=Source.DECLARATION, created_at__gte=now - timedelta(days=1)
    ).count()
    if made >= daily_limit():
        raise ValidationError(
            _("You have declared %(n)d arrivals in the last day. Ask your community office.")
            % {"n": made}
        )


def _trip_errors(mode: str, number: str) -> dict[str, str]:
    if mode in (Mode.FLIGHT, Mode.TRAIN) and not number:
        return {"trip_number": _("is required for a flight or a train")}
    if number and not TRIP_NUMBER.match(number):
        return {"trip_number": _("must be 2 to 10 letters and digits, as on the ticket")}
    return {}


def _age_errors(arrived_at, now: datetime) -> dict[str, str]:
    if not isinstance(arrived_at, datetime):
        return {"arrived_at": _("is required")}
    # The platform's one rule for times, with the days a resident may still declare.
    declarable = timedelta(days=policy.active().arrival_declaration_days)
    problem = intake.time_problem(arrived_at, now, max_age=declarable)
    return {"arrived_at": problem} if problem else {}
