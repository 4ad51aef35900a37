"""A week of inbound flights for the demo city (`epicommand seed-inbound`): 30 flights of
200 passengers (6,000) on six routes, their manifests imported at the port desk, one in
ten passengers a registered resident (matched by document, so their codes turn red); 7
positives, five of them on one flight, whose route the breaker proposes to suspend and
the city office confirms; a diversion; and the closed loop under way: residents of the
earlier days tested at the port, handed to a transfer vehicle and received at the
Gaocheng camp, a few of today's not yet handed over, so the board shows late handovers.
Everything goes through the inbound services with the demo accounts. Needs seed-city,
demo-accounts and seed-quarantine; the same seed gives the same demo."""

import io
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from epicommand.core import followups, spreadsheets
from epicommand.core.models import Unit, User
from epicommand.inbound.models import Arrival, Flight, Stage
from epicommand.inbound.services import alarms, flights, loop, positives
from epicommand.inbound.services.manifests import import_manifest
from epicommand.people.models import Person
from epicommand.quarantine.models import Site

ROUTES = (
    ("CA868", "Air China", "Moscow"),
    ("MU552", "China Eastern", "Seoul"),
    ("CZ302", "China Southern", "Frankfurt"),
    ("HU496", "Hainan Airlines", "Bangkok"),
    ("3U388", "Sichuan Airlines", "Tokyo"),
    ("ZH914", "Shenzhen Airlines", "Singapore"),
)
PER_FLIGHT, DAYS = 200, 7
COUNTIES = ("130109", "130102", "130104", "130105", "130108")
HEADER = (
    "flight_number,date,airline,origin,seat,document,name,nationality,"
    "destination_address,region_code,crew"
)


class InboundAlreadySeeded(Exception):
    pass


class DemoMissing(Exception):
    pass


@dataclass
class Counts:
    flights: int = 0
    passengers: int = 0
    positives: int = 0
    in_loop: int = 0
    alarms: int = 0
    seconds: float = 0.0


def flights_exist() -> bool:
    return Flight.objects.exists()


def seed_inbound(seed: str, progress=print) -> Counts:
    if flights_exist():
        raise InboundAlreadySeeded()
    started = time.perf_counter()
    rng = random.Random(f"inbound-{seed}")
    desk = _user("port_desk")
    office = _user("city_office")
    camp = Site.objects.in_region("130109").filter(is_active=True).order_by("pk").first()
    if camp is None:
        raise DemoMissing("no quarantine site in Gaocheng (run seed-quarantine)")
    # The site's own unit acknowledges arrivals there.
    site_staff = User.objects.filter(unit=camp.unit, role="quarantine_staff").first()
    counts = Counts()
    today = timezone.localdate()
    residents = _residents(rng)
    manifest = io.StringIO()
    manifest.write(HEADER + "\n")
    writer = spreadsheets.CsvWriter(manifest)
    for day_back in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=day_back)
        for number, airline, origin in _routes_of(day_back):
            flights.register_flight(
                desk, number=number, arrival_date=day, airline=airline, origin=origin, port="SJW"
            )
            counts.flights += 1
            for seat in range(PER_FLIGHT):
                counts.passengers += 1
                row, letter = divmod(seat, 6)
                person = residents.pop() if residents and rng.random() < 0.1 else None
                document = person.id_number if person else f"E{rng.randrange(10**8):08d}"
                region = person.region_id if person else rng.choice(COUNTIES)
                writer.writerow(
                    (
                        number,
                        day.isoformat(),
                        airline,
                        origin,
                        f"{row + 1}{'ABCDEF'[letter]}",
                        document,
                        person.name if person else f"旅客{counts.passengers}",
                        "CHN",
                        person.address if person else "石家庄市",
                        region,
                        "no",
                    )
                )
    progress(f"   {counts.flights} flights registered; importing {counts.passengers:,} passengers")
    data = io.BytesIO(manifest.getvalue().encode())
    result = import_manifest(desk, data, "week.csv")
    if result.error_count:
        raise DemoMissing(f"manifest refused: {result.errors[:3]}")
    with followups.inline():
        counts.positives = _positives(desk, office, rng)
    counts.in_loop = _closed_loop(desk, site_staff, camp)
    _divert(desk, today)
    counts.alarms = len(alarms.check_loop())
    counts.seconds = time.perf_counter() - started
    return counts


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DemoMissing(f"no demo account {username} (run demo-accounts)")
    return user


def _routes_of(day_back: int):
    """30 flights over 7 days: six on four days, two on the other three."""
    return ROUTES[:2] if day_back in (1, 3, 5) else ROUTES


def _residents(rng) -> list[Person]:
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:20000])
    chosen = rng.sample(ids, min(len(ids), 700))
    # Residents with an ID number only: passports of foreigners are the manifest's own.
    return [p for p in Person.objects.filter(pk__in=chosen).order_by("pk") if p.id_number]


def _positives(desk, office, rng) -> int:
    """Five positives on the first day's CA868 (the breaker proposes, the office confirms),
    two on other flights; residents when there are, so tracing gets contacts."""
    first = Flight.objects.order_by("arrival_date", "number").first()
    residents_first = F("person_id").desc(nulls_last=True)
    chosen = list(first.arrivals.order_by(residents_first, "pk")[:5])
    others = list(
        Arrival.objects.exclude(flight=first).filter(person__isnull=False).order_by("pk")[:2]
    )
    for arrival in chosen + others:
        at = min(arrival.arrived_at + timedelta(days=rng.randint(1, 3)), timezone.now())
        positives.record_positive(desk, arrival, at=at)
    for proposal in first.suspensions.filter(status="proposed"):
        flights.confirm_suspension(office, proposal)
    return len(chosen) + len(others)


def _closed_loop(desk, site_staff, camp) -> int:
    """Residents of the days before today through the port to the camp; today's are left
    at the port, and some handed over but not yet received."""
    transfer = desk.unit or Unit.objects.filter(kind=Unit.Kind.TRANSPORT).first()
    today = timezone.localdate()
    travellers = Arrival.objects.filter(person__isnull=False, stage=Stage.LANDED).order_by("pk")
    moved = 0
    free = camp.rooms.filter(status="free").count()
    for arrival in travellers[: min(60, free)]:
        at = arrival.arrived_at + timedelta(hours=1)
        loop.record_port_test(desk, arrival, at=at)
        if arrival.flight.arrival_date == today:
            continue  # sampled, still waiting at the port
        _t, site = loop.hand_to_transfer(
            desk, arrival, transfer_unit=transfer, site=camp, vehicle=f"冀A·Z{moved:04d}", at=at
        )
        if moved % 5 and site_staff is not None:  # one in five is left for the alarms
            loop.acknowledge(_receiver(transfer), _t, at=at + timedelta(minutes=40))
            loop.acknowledge(site_staff, site, at=at + timedelta(hours=2))
        moved += 1
    return Arrival.objects.exclude(stage__in=(Stage.RELEASED, Stage.NOT_IN_LOOP)).count()


def _receiver(unit) -> User:
    return User.objects.filter(unit=unit, is_active=True).first()


def _divert(desk, today) -> None:
    flight = flights.register_flight(
        desk,
        number="CA910",
        arrival_date=today + timedelta(days=1),
        airline="Air China",
        origin="Frankfurt",
        port="SJW",
    )
    flights.record_diversion(desk, flight, to_port="TSN", manifest_handed_to="天津滨海国际机场海关")
