"""A week of movement in the demo city, for key-area control (simulation.key_areas writes
it): every person's place-code scans, and the passages through Gaocheng's checkpoints.

Each person lives the week one day at a time, and the scans and passages follow from the
day: the home compound's code on leaving and on coming back, the workplace or school on
weekdays, a market or supermarket of the township (or elsewhere in the county) a few times
a week, now and then a bus station, and for a few people a trip out of Gaocheng or into it
through a checkpoint on a road that leads where they go; a commuter between Gaocheng and
another county passes one twice each working day. Temperatures are taken at checkpoints
and guarded market entrances: a fever turns the person back (the checkpoint service's own
verdict), yellows their code until it is over and keeps them at home meanwhile.

Nothing here reads the database after `Week()` is built: the scans are generated while
core.bulk writes them. The same seed, city and moment give the same week."""

import random
import re
from bisect import bisect
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from math import atan2, cos, degrees, radians

from django.utils import timezone

from epicommand.control.services import checkpoints
from epicommand.core import policy
from epicommand.people.models import Person
from epicommand.places.models import Venue

from .geography import COUNTIES

K = Venue.Kind
GAOCHENG = "130109"
CENTRE = next((lat, lon) for code, _n, _p, _u, lat, lon, _r in COUNTIES if code == GAOCHENG)
WORK = 5  # Monday to Friday
EXIT = "highway_exit"

# How a day goes (minutes after local midnight, chances per person and day).
SHOP_CHANCE = ((12, 0.05), (18, 0.1), (55, 0.3), (200, 0.5))  # below the age, the chance
NEAR_SHOP = 0.25  # shops elsewhere in the county rather than in the township
HUB_CHANCE = 0.02
TRIP_OUT = 0.015  # a Gaocheng adult off work goes to another county
VISIT_IN = {True: 0.002, False: 0.0004}  # from a neighbouring county, from farther
NEIGHBOURS = {
    "130102", "130108", "130111", "130123", "130128", "130130", "130133", "130181", "130183",
}  # fmt: skip
# Where Gaocheng's travellers go: the urban core above all.
TRIP_DESTINATIONS = {
    "130102": 20, "130104": 12, "130105": 10, "130108": 13, "130123": 10, "130183": 10,
    "130181": 8, "130130": 7, "130111": 5, "130133": 5,
}  # fmt: skip
DRIVES = 0.6  # of those who pass a road checkpoint, the share in their own car
HIGHWAY = 0.35  # of drivers, the share who take the expressway when it goes their way
RIDE_ALONG = 0.4  # a child of the household comes along on a weekend trip
FEVER_ON_ROAD, FEVER_AT_MARKET = 0.004, 0.002
WORK_HOURS = {K.SCHOOL: (420, 470, 990, 1050)}  # arrive between, leave between
OFFICE_HOURS = (420, 525, 1020, 1080)
VISITABLE = {K.MARKET, K.SUPERMARKET, K.RESTAURANT, K.HOSPITAL, K.OFFICE, K.HOTEL, K.OTHER}
DEVICE_SCANNED = {K.SCHOOL, K.FACTORY, K.HOSPITAL}
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class CityMissing(Exception):
    """seed-control needs the demo city (regions, units, venues, persons) and its demo
    accounts: the city office sets up checkpoints and designates the risk area, Gaocheng's
    checkpoint officer records the last day's passages."""


@dataclass
class Station:
    """A checkpoint as the simulation uses it."""

    id: int
    name: str
    kind: str
    region_id: str
    bearing: float  # degrees from Gaocheng's centre, counter-clockwise from east
    venue_id: int | None = None
    checkpoint: object = None  # the control.models.Checkpoint
    leads_to: tuple[str, ...] = ()  # the counties its road leads to


def bearing(latitude: float, longitude: float) -> float:
    east = (longitude - CENTRE[1]) * cos(radians(CENTRE[0]))
    return degrees(atan2(latitude - CENTRE[0], east)) % 360


def _apart(a: float, b: float) -> float:
    return min(abs(a - b), 360 - abs(a - b))


# The week ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    date: date
    start: datetime  # local midnight as naive UTC, as core.bulk writes it
    weekday: int
    until: float  # the minute of `now` on the last day, past midnight on the others

    def at(self, minute: float) -> datetime:
        return self.start + timedelta(seconds=int(minute * 60))


class Resident:
    """The person being simulated: what does not change over the week, worked out once,
    and the fever the week may give them."""

    __slots__ = (
        "id", "region", "county", "household", "age", "home", "method", "travels",
        "workplace", "work_kind", "work_method", "work_elsewhere", "shop_chance",
        "fever_from", "fever_until",
    )  # fmt: skip

    def __init__(self, week: "Week", row: tuple, today: int):
        pk, region, household, workplace, born, phone, id_number = row
        self.id, self.region, self.county = pk, region, region[:6]
        self.household = household or -pk
        self.age = int((today - born.toordinal()) / 365.2425)
        homes = week.compounds.get(region) or week.compounds.get(region[:9])
        self.home = homes[self.household % len(homes)] if homes else None
        self.method = "self" if phone else "staff"
        self.travels = bool(id_number)  # a checkpoint identifies by the ID card
        self.workplace = workplace if workplace in week.venues else None
        self.work_kind = self.work_elsewhere = None
        self.work_method = self.method
        if self.workplace is not None:
            self.work_kind, place = week.venues[workplace]
            if self.work_kind in DEVICE_SCANNED:
                self.work_method = "device"
            if (place[:6] == GAOCHENG) != (self.county == GAOCHENG) and self.travels:
                self.work_elsewhere = place[:6]  # a commute through a checkpoint
        self.shop_chance = _chance(SHOP_CHANCE, self.age)
        self.fever_from: datetime | None = None
        self.fever_until: datetime | None = None  # None while the fever fact is open

    def ill_at(self, moment: datetime) -> bool:
        if self.fever_from is None or moment < self.fever_from:
            return False
        return self.fever_until is None or moment < self.fever_until

    def colour_at(self, moment: datetime) -> str:
        return "yellow" if self.ill_at(moment) else "green"


@dataclass
class Crossing:
    """A passage, before it is written."""

    at: datetime
    station: Station
    person_id: int
    person_region: str
    direction: str
    temperature: Decimal
    plate: str = ""
    vehicle_people: int = 0
    colour: str = "green"
    fever: bool = False
    verdict: str = "pass"
    reasons: str = ""
    fever_until: datetime | None = None
    client_id: str = ""
    rider: bool = False  # a passenger: the driver's crossing lists them
    riders: list["Crossing"] = field(default_factory=list)


class Week:
    """The demo week: scans are generated as they are written (`scans()`), passages and
    counter tallies are collected on the way."""

    def __init__(self, seed, now: datetime, days: int, stations: list[Station]):
        self.seed = seed
        # Client ids as a device may send them: letters, digits and . _ : -
        self.tag = "demo-" + re.sub(r"[^A-Za-z0-9._:]", "", str(seed))[:20]
        self.rng = random.Random(f"{seed}:movements")
        self.now = now.astimezone(UTC).replace(tzinfo=None)
        self.threshold = Decimal(str(policy.active().fever_threshold_c))
        zone = timezone.get_default_timezone()
        today = timezone.localdate(now)
        self.days = []
        for back in range(days - 1, -1, -1):
            day = today - timedelta(days=back)
            start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            start = start.astimezone(UTC).replace(tzinfo=None)
            until = (self.now - start).total_seconds() / 60
            self.days.append(Day(day, start, day.weekday(), until))
        self.roads = [s for s in stations if s.venue_id is None]
        self.guarded = {s.venue_id: s for s in stations if s.venue_id is not None}
        self.crossings: list[Crossing] = []
        self.tally: Tally = Tally()
        self.persons = 0
        self.plates: dict[int, str] = {}
        self.children: dict[int, list[tuple[int, str]]] = {}  # household -> under 16
        self._load_venues()
        self._load_persons()
        self._plan_routes()

    # What the city offers -------------------------------------------------------------------

    def _load_venues(self) -> None:
        self.venues: dict[int, tuple[str, str]] = {}
        self.compounds: dict[str, list[int]] = {}  # village and township code -> compounds
        self.shops: dict[str, list[int]] = {}  # township and county code -> markets, shops
        self.hubs: dict[str, list[int]] = {}
        self.visitable: dict[str, list[int]] = {}  # county -> venues a visitor goes to
        for pk, kind, region in Venue.objects.order_by("id").values_list("id", "kind", "region_id"):
            self.venues[pk] = (kind, region)
            if kind == K.RESIDENTIAL_COMPOUND:
                self.compounds.setdefault(region, []).append(pk)
                self.compounds.setdefault(region[:9], []).append(pk)
            elif kind in (K.MARKET, K.SUPERMARKET):
                self.shops.setdefault(region[:9], []).append(pk)
                self.shops.setdefault(region[:6], []).append(pk)
            elif kind == K.TRANSPORT_HUB:
                self.hubs.setdefault(region[:6], []).append(pk)
                self.hubs.setdefault("", []).append(pk)
            if kind in VISITABLE:
                self.visitable.setdefault(region[:6], []).append(pk)
        if not self.venues:
            raise CityMissing("venues")

    def _plan_routes(self) -> None:
        """For every county, the road checkpoints and expressway exits a traveller between
        it and Gaocheng may pass."""
        self.routes: dict[str, tuple[list[Station], list[Station]]] = {}
        roads = [s for s in self.roads if s.kind != EXIT] or self.roads
        for code, _name, _people, _urban, lat, lon, _radius in COUNTIES:
            leading = [s for s in self.roads if code in s.leads_to]
            by_road = [s for s in leading if s.kind != EXIT]
            if not by_road:
                towards = bearing(lat, lon)
                by_road = [min(roads, key=lambda s: _apart(s.bearing, towards))]
            self.routes[code] = (by_road, [s for s in leading if s.kind == EXIT])
        codes = list(TRIP_DESTINATIONS)
        self.destinations = (codes, list(accumulate(TRIP_DESTINATIONS.values())))

    # Scans ----------------------------------------------------------------------------------

    def _load_persons(self) -> None:
        # Read here, not in scans(): a generator runs inside the COPY, and a connection
        # runs one statement at a time.
        self.residents = list(
            Person.objects.order_by("id").values_list(
                "id",
                "region_id",
                "household_id",
                "workplace_id",
                "birth_date",
                "phone",
                "id_number",
            )
        )
        today = self.days[-1].date.toordinal()
        for pk, region, household, _w, born, _p, id_number in self.residents:
            if (today - born.toordinal()) < 16 * 365.25 and id_number:
                self.children.setdefault(household or -pk, []).append((pk, region))

    def scans(self):
        """Every person's week, as scan rows in person order. Reads no database."""
        today = self.days[-1].date.toordinal()
        prefix, n = f"{self.tag}-", 0
        tally = self.tally
        for row in self.residents:
            p = Resident(self, row, today)
            self.persons += 1
            for day in self.days:
                scans = self._day(p, day)
                tally["scans", p.county, day.date] += len(scans)
                start = day.start
                for at, venue, method in scans:
                    n += 1
                    moment = start + timedelta(seconds=int(at * 60))
                    colour = "green" if p.fever_from is None else p.colour_at(moment)
                    # Naive UTC as text, the form both databases read and SQLite stores:
                    # Django's datetime adapter would cost a third of SQLite's insert time.
                    stamp = str(moment)
                    yield (f"{prefix}{n:08d}", p.id, venue, p.region, stamp, colour, method, stamp)

    def _day(self, p: Resident, day: Day) -> list[tuple]:
        """The person's scans of the day, in order: (minute, venue, method). Road
        and market passages are collected on the way."""
        rng = self.rng
        out: list[tuple] = []
        if p.fever_from is not None and p.ill_at(day.at(420)):
            if p.home:
                out.append((rng.uniform(540, 1080), p.home, p.method))
            return [s for s in out if s[0] <= day.until]
        first = end = None
        turned_back = travelling = False
        working = day.weekday < WORK and p.workplace is not None
        if working:
            arrive_from, arrive_to, leave_from, leave_to = WORK_HOURS.get(p.work_kind, OFFICE_HOURS)
            arrive = rng.uniform(arrive_from, arrive_to)
            elsewhere = p.work_elsewhere
            first = arrive - 15
            if elsewhere:
                first = arrive - rng.uniform(30, 60)
                turned_back = self._cross(p, day, first, elsewhere, leaving=p.county == GAOCHENG)
            if not turned_back:
                out.append((arrive, p.workplace, p.work_method))
                end = rng.uniform(leave_from, leave_to)
                if elsewhere:
                    end += rng.uniform(20, 50)
                    self._cross(p, day, end, elsewhere, leaving=p.county != GAOCHENG, first=False)
            else:
                end = first
        elif p.travels and 18 <= p.age < 70:
            trip = self._trip(p, day, out)
            if trip:
                first, end, turned_back = trip
                travelling = True
        if not (turned_back or travelling) and rng.random() < p.shop_chance:
            first, end, turned_back = self._shop(p, day, out, first, end, working)
        if not (turned_back or travelling or working) and p.age >= 16 and rng.random() < HUB_CHANCE:
            hubs = self.hubs.get(p.county) if rng.random() < 0.6 else None
            hubs = hubs or self.hubs.get("")
            at = rng.uniform(390, 1200)
            if hubs and (first is None or at > end):
                out.append((at, hubs[int(rng.random() * len(hubs))], p.method))
                first, end = first if first is not None else at, at + 30
        if p.home:
            if first is not None:
                out.append((max(360.0, first - rng.uniform(8, 40)), p.home, p.method))
                out.append((min(1410.0, end + rng.uniform(15, 60)), p.home, p.method))
            else:
                out.append((rng.uniform(540, 1200), p.home, p.method))
        out.sort()
        if day.until < 1440:
            return [s for s in out if s[0] <= day.until]
        return out

    def _trip(self, p: Resident, day: Day, out: list) -> tuple | None:
        """A trip between Gaocheng and another county: out and back through checkpoints,
        with a scan where they went. Returns (first minute, last minute, turned back)."""
        rng = self.rng
        if p.county == GAOCHENG:
            if rng.random() >= TRIP_OUT:
                return None
            codes, weights = self.destinations
            county = codes[bisect(weights, rng.random() * weights[-1])]
            leaving = True
        else:
            if rng.random() >= VISIT_IN[p.county in NEIGHBOURS]:
                return None
            county, leaving = p.county, False
        start = rng.uniform(480, 660)
        children = []
        if leaving and day.weekday >= WORK and rng.random() < RIDE_ALONG:
            children = [c for c in self.children.get(p.household, []) if c[0] != p.id][:2]
        if self._cross(p, day, start, county, leaving=leaving, children=children):
            return start, start, True
        places = self.visitable.get(GAOCHENG if not leaving else county)
        visit = start + rng.uniform(20, 70)
        if places:
            out.append((visit, places[int(rng.random() * len(places))], p.method))
        back = max(visit + 60, rng.uniform(840, 1110))
        self._cross(p, day, back, county, leaving=not leaving, first=False, children=children)
        return start, back + 30, False

    def _shop(self, p: Resident, day: Day, out: list, first, end, working) -> tuple:
        rng = self.rng
        near = rng.random() < NEAR_SHOP
        shops = (self.shops.get(p.county) if near else None) or self.shops.get(p.region[:9])
        shops = shops or self.shops.get(p.county)
        if not shops:
            return first, end, False
        if working:
            at = (end or 1020) + rng.uniform(10, 60)
        else:
            at = rng.uniform(420, 660) if rng.random() < 0.6 else rng.uniform(870, 1050)
        venue = shops[int(rng.random() * len(shops))]
        out.append((at, venue, p.method))
        turned_back = False
        station = self.guarded.get(venue)
        if station is not None:
            turned_back = self._check(p, day, at, station, "in", FEVER_AT_MARKET)
        first = at if first is None else min(first, at)
        return first, max(end or at, at) + (0 if turned_back else 20), turned_back

    # Passages -------------------------------------------------------------------------------

    def _cross(self, p, day, minute, county, *, leaving: bool, first=True, children=()) -> bool:
        """Pass the road checkpoint towards `county`; True if turned back with a fever.
        Only the first leg of a day is checked for fever: one coming home is let in and
        sent on to the fever clinic by the community instead."""
        if day.at(minute) > self.now:
            return False
        rng = self.rng
        roads, highways = self.routes[county]
        drives = rng.random() < DRIVES
        if drives and highways and rng.random() < HIGHWAY:
            station = highways[int(rng.random() * len(highways))]
        else:
            station = roads[int(rng.random() * len(roads))]
        plate = self._plate(p.household) if drives else ""
        people = (1 + len(children)) if plate else 0
        direction = "out" if leaving else "in"
        denied = self._check(
            p, day, minute, station, direction, FEVER_ON_ROAD if first else 0.0, plate, people
        )
        if plate:
            driver = self.crossings[-1]
            for child, region in children:
                rider = self._crossing(day, minute, station, child, region, direction)
                rider.plate, rider.vehicle_people, rider.rider = plate, people, True
                # A vehicle is turned back whole: every passage holds the worst verdict.
                rider.verdict, rider.reasons = driver.verdict, driver.reasons
                driver.riders.append(rider)
        return denied

    def _check(self, p, day, minute, station, direction, fever_chance, plate="", people=0) -> bool:
        """One person's passage: temperature taken, verdict given. True if turned back."""
        at = day.at(minute)
        if at > self.now:
            return False
        crossing = self._crossing(day, minute, station, p.id, p.region, direction)
        crossing.plate, crossing.vehicle_people = plate, people
        crossing.colour = p.colour_at(at)
        if self.rng.random() < fever_chance:
            crossing.temperature = self._fever_temperature()
        verdict, reasons, fever = _judge(crossing.colour, crossing.temperature, self.threshold)
        crossing.verdict, crossing.reasons, crossing.fever = verdict, reasons, fever
        if fever:
            p.fever_from = at
            # The fever of the last day is still open; an earlier one has been followed
            # up (a negative test) within hours to a day.
            if at < self.now - timedelta(hours=24):
                p.fever_until = at + timedelta(hours=self.rng.uniform(6, 24))
            else:
                p.fever_until = None
            crossing.fever_until = p.fever_until
        return verdict == "deny"

    def _crossing(self, day, minute, station, person_id, region, direction) -> Crossing:
        crossing = Crossing(
            day.at(minute), station, person_id, region, direction, self._temperature()
        )
        self.crossings.append(crossing)
        return crossing

    def _temperature(self) -> Decimal:
        value = min(37.2, max(36.0, self.rng.gauss(36.5, 0.25)))
        value = min(value, float(self.threshold) - 0.1)
        return Decimal(f"{value:.1f}")

    def _fever_temperature(self) -> Decimal:
        return Decimal(f"{float(self.threshold) + self.rng.uniform(0, 1.5):.1f}")

    def _plate(self, household: int) -> str:
        plate = self.plates.get(household)
        if plate is None:
            rng = random.Random(f"{self.seed}:plate:{household}")
            chars = [str(rng.randrange(10)) for _ in range(5)]
            if rng.random() < 0.4:
                chars[rng.randrange(2)] = rng.choice(PLATE_LETTERS)
            plate = self.plates[household] = "冀A·" + "".join(chars)
        return plate


def _chance(table, age: int) -> float:
    for below, chance in table:
        if age < below:
            return chance
    return table[-1][1]


def _judge(colour: str, temperature: Decimal, threshold: Decimal) -> tuple[str, str, bool]:
    """The checkpoint service's own verdict for one passer (no lockdown in the demo)."""
    judgement = checkpoints.judge(colour, temperature=temperature, threshold=threshold)
    return judgement.verdict, judgement.text, judgement.fever
