"""`epicommand seed-outbreak`: an outbreak in Zengcun town over the demo week (after
seed-city, demo-accounts and seed-control), so the case lists, chains and map have life.

An index resident of Zengcun who shopped at the town's market early in the week falls ill;
day by day every infectious person infects members of their household, companions at
their workplace and persons whose market scans fall within the policy's co-presence dwell
of theirs. Each infection shows after an incubation of a few days and is reported a day
or so later; the cases reported by now are registered day by day through the case
service (`register_case` with that day as `now`, which fills the trajectory from the
scans, lists the household as close contacts, finds co-presence candidates and keeps the
clusters current), some workplace companions are added as interview contacts, and the
epidemiologist's who-infected-whom links are recorded through `link_cases`.

The same seed and demo week give the same outbreak. Nothing is written when the database
already holds cases."""

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from epicommand.control.models import Scan
from epicommand.core import followups, policy
from epicommand.core.access import covers, region_q
from epicommand.core.models import User
from epicommand.people.models import Person
from epicommand.places.models import Venue
from epicommand.tracing.models import Case, Classification, DetectionRoute
from epicommand.tracing.services import clusters, contacts
from epicommand.tracing.services.cases import CaseExists, register_case

from .movements import CityMissing

ZENGCUN = "130109104"
GAOCHENG = "130109"
# Demo accounts (simulation/accounts.py): Gaocheng's epidemiologist investigates; the
# city's takes the cases living elsewhere.
ACCOUNTS = ("gaocheng_epi", "city_epi")
HOUSEHOLD_RATE = 0.3  # chance per infectious day for each household member
WORKPLACE_RATE = 0.03  # per workplace companion and working day
MARKET_RATE = 0.12  # per person scanned at the market near an infectious one
WORKPLACE_DRAWN = 40  # workplace companions considered per infectious person
INCUBATION = (2, 5)  # days from infection to onset
REPORT_DELAY = (0, 1)  # days from onset (or sampling) to report
ASYMPTOMATIC = 0.2
CLASSES = [
    (Classification.MILD, 0.7),
    (Classification.MODERATE, 0.25),
    (Classification.SEVERE, 0.05),
]
INTERVIEW_CONTACTS = 2  # workplace companions told in each interview
LINKED = 0.75  # share of cases whose infector the epidemiologist names
SPREAD_BOUND = 4  # infections simulated at most, per case wanted: most are not reported yet


class OutbreakAlreadySeeded(Exception):
    """The database already holds cases: the demo outbreak is written once."""


@dataclass
class Infection:
    person: int
    day: date
    by: int | None  # the person who infected them
    setting: str  # household, workplace, venue ("" for the index)
    onset: date | None = None
    reported: datetime | None = None
    classification: str = Classification.MILD


@dataclass
class OutbreakCounts:
    infections: int = 0
    cases: int = 0
    contacts: int = 0
    links: int = 0
    clusters: int = 0
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)


def cases_exist() -> bool:
    return Case.objects.exists()


def seed_outbreak(
    seed="2021",
    *,
    cases: int = 60,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> OutbreakCounts:
    started = time.perf_counter()
    now = now or timezone.now()
    if cases_exist():
        raise OutbreakAlreadySeeded
    rng = random.Random(f"{seed}:outbreak")
    town = Town.load(now)
    infections = spread(town, rng, target=cases, now=now)
    progress(f"{len(infections)} infections in Zengcun's households, workplaces and market")
    counts = OutbreakCounts(infections=len(infections))
    actors = _actors()
    # Each case's follow-ups (trajectory, contacts, cluster) are done as it is registered,
    # before the next day's cases and the interviews, as an investigation would have them.
    with transaction.atomic(), followups.inline():
        registered = _register(infections, actors, rng, counts, progress)
        _interview(registered, town, actors, rng, counts)
        _link(infections, registered, actors, rng, counts)
    counts.clusters = clusters.recompute_all(now=now)
    counts.seconds = time.perf_counter() - started
    return counts


# The town ---------------------------------------------------------------------------------


@dataclass
class Town:
    """Zengcun as the outbreak sees it: who lives with whom, works with whom, and who was
    at the market when, over the demo week."""

    days: list[date]
    households: dict[int, list[int]]
    household_of: dict[int, int]
    workplace_of: dict[int, int]
    workers: dict[int, list[int]]
    market: dict[date, list[tuple[datetime, int]]]  # day -> (scan time, person), in order
    persons: dict[int, Person]

    @classmethod
    def load(cls, now: datetime) -> "Town":
        residents = list(
            Person.objects.in_region(ZENGCUN).values_list("pk", "household_id", "workplace_id")
        )
        if not residents:
            raise CityMissing("Zengcun's residents")
        market = Venue.objects.filter(
            region_q(ZENGCUN, "region_id"), kind=Venue.Kind.MARKET
        ).first()
        if market is None:
            raise CityMissing("Zengcun's market")
        scans = list(
            Scan.objects.filter(venue=market, scanned_at__lte=now)
            .order_by("scanned_at")
            .values_list("scanned_at", "person_id")
        )
        if not scans:
            raise CityMissing("the demo week's scans (run seed-control)")
        by_day: dict[date, list] = defaultdict(list)
        for at, person in scans:
            by_day[timezone.localdate(at)].append((at, person))
        households = {h for _p, h, _w in residents if h}
        workplaces = {w for _p, _h, w in residents if w}
        members: dict[int, list[int]] = defaultdict(list)
        household_of: dict[int, int] = {}
        workplace_of: dict[int, int] = {}
        workers: dict[int, list[int]] = defaultdict(list)
        # Household members and workplace companions may live outside the town; the
        # outbreak stays in Gaocheng (the county its investigators cover).
        for pk, household in (
            Person.objects.in_region(GAOCHENG)
            .filter(household_id__in=households)
            .values_list("pk", "household_id")
        ):
            members[household].append(pk)
            household_of[pk] = household
        for pk, workplace in (
            Person.objects.in_region(GAOCHENG)
            .filter(workplace_id__in=workplaces)
            .values_list("pk", "workplace_id")
        ):
            workers[workplace].append(pk)
            workplace_of[pk] = workplace
        first = min(by_day)
        days = [
            first + timedelta(days=n) for n in range((timezone.localdate(now) - first).days + 1)
        ]
        return cls(days, dict(members), household_of, workplace_of, dict(workers), by_day, {})


# The spread ---------------------------------------------------------------------------------


def spread(town: Town, rng: random.Random, *, target: int, now: datetime) -> list[Infection]:
    """Who infects whom, day by day from a few days before the week until now; the first
    `target` infections reported by now, in the order they were reported."""
    early = [p for day in town.days[:2] for _at, p in town.market.get(day, ())]
    in_town = [p for p in early if p in town.household_of and p in town.workplace_of]
    index = rng.choice(sorted(set(in_town or early)))
    first_day = town.days[0] - timedelta(days=3)  # infected before the week, ill early in it
    infected = {index: _fate(Infection(index, first_day, None, ""), rng)}
    window = timedelta(minutes=policy.active().copresence_dwell_minutes)
    days = [first_day + timedelta(days=n) for n in range(1, 3)] + town.days
    bound = target * SPREAD_BOUND
    for day in days:
        infectious = [i for i in infected.values() if i.day < day and _free(i, day)]
        for source in infectious:
            for person, setting, rate in _exposed(town, source.person, day, window, rng):
                if person not in infected and rng.random() < rate and len(infected) < bound:
                    infected[person] = _fate(Infection(person, day, source.person, setting), rng)
    reported = sorted(
        (i for i in infected.values() if i.reported <= now), key=lambda i: (i.reported, i.person)
    )
    return reported[:target]


def _free(infection: Infection, day: date) -> bool:
    """Not yet isolated: a case stops infecting others on the day it is reported."""
    return timezone.localdate(infection.reported) > day


def _fate(infection: Infection, rng: random.Random) -> Infection:
    shown = infection.day + timedelta(days=rng.randint(*INCUBATION))
    if rng.random() < ASYMPTOMATIC:
        infection.classification = Classification.ASYMPTOMATIC
    else:
        infection.onset = shown
        infection.classification = rng.choices(*zip(*CLASSES, strict=True))[0]
    day = shown + timedelta(days=rng.randint(*REPORT_DELAY))
    moment = datetime.combine(day, clock(rng.randint(9, 20), rng.randint(0, 59)))
    infection.reported = timezone.make_aware(moment)
    return infection


def _exposed(town: Town, person: int, day: date, window: timedelta, rng: random.Random):
    household = town.household_of.get(person)
    for other in town.households.get(household, ()) if household else ():
        if other != person:
            yield other, "household", HOUSEHOLD_RATE
    workplace = town.workplace_of.get(person)
    if workplace and day.weekday() < 5:
        companions = [p for p in town.workers.get(workplace, ()) if p != person]
        for other in rng.sample(companions, min(WORKPLACE_DRAWN, len(companions))):
            yield other, "workplace", WORKPLACE_RATE
    scans = town.market.get(day, ())
    for at, scanned in scans:
        if scanned == person:
            for other_at, other in scans:
                if other != person and abs(other_at - at) <= window:
                    yield other, "venue", MARKET_RATE


# Writing it through the services -------------------------------------------------------------


def _actors() -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
    missing = [name for name in ACCOUNTS if name not in found]
    if missing:
        raise CityMissing(f"demo accounts {', '.join(missing)} (run demo-accounts)")
    return [found[name] for name in ACCOUNTS]


def _actor_for(actors: list[User], region_code: str) -> User:
    return next(a for a in actors if covers(a, region_code))


def _register(infections, actors, rng, counts, progress) -> dict[int, Case]:
    """Each reported infection becomes a case on its report day, through the case service."""
    persons = Person.objects.in_bulk([i.person for i in infections])
    registered: dict[int, Case] = {}
    day = None
    for infection in infections:
        person = persons[infection.person]
        reported = infection.reported
        if timezone.localdate(reported) != day:
            day = timezone.localdate(reported)
            progress(f"{day}: {len(registered)} cases so far")
        was_contact = infection.by in registered
        route = DetectionRoute.PRIORITY_TEST if was_contact else DetectionRoute.FEVER_CLINIC
        if infection.onset is None:
            route = DetectionRoute.PRIORITY_TEST if was_contact else DetectionRoute.MASS_TESTING
        try:
            case = register_case(
                _actor_for(actors, person.region_id),
                person,
                classification=infection.classification,
                detection_route=route,
                onset_date=infection.onset,
                sampling_date=timezone.localdate(reported),
                reported_at=reported,
                source_key=f"demo-outbreak:{person.pk}",
                now=reported,
            )
        except (CaseExists, ValidationError) as exc:
            counts.refused.append(f"person {person.pk}: {exc}")
            continue
        registered[infection.person] = case
        counts.cases += 1
    return registered


def _interview(registered: dict[int, Case], town: Town, actors, rng, counts) -> None:
    """In each interview a couple of workplace companions are named as close contacts."""
    wanted: dict[int, list[int]] = {}
    for person, case in registered.items():
        companions = [p for p in town.workers.get(town.workplace_of.get(person), ()) if p != person]
        wanted[case.pk] = rng.sample(companions, min(INTERVIEW_CONTACTS, len(companions)))
    persons = Person.objects.in_bulk({p for ps in wanted.values() for p in ps})
    for case in registered.values():
        for person_id in wanted[case.pk]:
            exposure = case.reported_at - timedelta(hours=rng.uniform(14, 30))
            try:
                contacts.add_contact(
                    _actor_for(actors, case.region_id),
                    case,
                    persons[person_id],
                    degree="close",
                    setting="workplace",
                    last_exposure_at=exposure,
                    found_by="interview",
                    now=case.reported_at,
                )
            except ValidationError as exc:
                counts.refused.append(f"contact {person_id} of case {case.pk}: {exc}")
                continue
            counts.contacts += 1


def _link(infections, registered: dict[int, Case], actors, rng, counts) -> None:
    """The epidemiologist names the infector of most cases whose infector is a case too."""
    confidence = {"household": "confirmed", "workplace": "probable", "venue": "possible"}
    for infection in infections:
        source, target = registered.get(infection.by), registered.get(infection.person)
        if source is None or target is None or rng.random() >= LINKED:
            continue
        try:
            clusters.link_cases(
                _actor_for(actors, target.region_id),
                source,
                target,
                confidence=confidence[infection.setting],
                setting=infection.setting,
                now=target.reported_at,
            )
        except ValidationError as exc:
            counts.refused.append(f"link {source.pk} → {target.pk}: {exc}")
            continue
        counts.links += 1
