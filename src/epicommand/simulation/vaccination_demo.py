"""The demo's vaccination of key groups, written in bulk (core.bulk): vaccination sites
with a week of slots, employers' rosters over the nine key groups, and doses over the
last five months with a realistic tail: most second doses come 3 to 8 weeks after the
first, about one in ten not yet, so those older than the product's maximum interval are
overdue. Series, stock by lot (received, used, wasted), a few adverse events and the
coverage tally are derived from the same doses, so the pages agree with each other.

Used by `seed-vaccination` (40 sites, 200,000 doses) and by the benchmark (a million and
two million doses), which is why it writes rows, not services: the services are what the
tests drive, and the tally they keep is the one this module computes."""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from epicommand.core import counters, policy
from epicommand.core.bulk import bulk_insert, bulk_update, naive_utc
from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Region, Unit
from epicommand.people.models import Person
from epicommand.vaccination.models import (
    AdverseEvent,
    Dose,
    RosterEntry,
    Series,
    Site,
    Slot,
    StockLot,
)
from epicommand.vaccination.services import coverage
from epicommand.vaccination.services.sites import slot_times

from .loading import indexes_built_afterwards

K = Unit.Kind
# The key group an employer's staff belong to, by the kind of unit (commerce's staff are
# split between supply and logistics).
GROUPS_OF_KIND = {
    K.PUBLIC_SECURITY: ("police_fire_community",),
    K.TRANSPORT: ("transport",),
    K.HEALTH_COMMISSION: ("medical",),
    K.CDC: ("medical",),
    K.MARKET_REGULATION: ("coldchain_port",),
    K.COMMERCE: ("logistics", "utilities_supply"),
    K.FOREIGN_AFFAIRS: ("going_abroad",),
    K.EDUCATION: ("government",),
    K.CIVIL_AFFAIRS: ("care_sanitation_funeral",),
    K.TOWNSHIP_GOVERNMENT: ("police_fire_community", "care_sanitation_funeral"),
    K.COMMAND_OFFICE: ("government",),
    K.LEADING_GROUP: ("government",),
    K.DISCIPLINE_INSPECTION: ("government",),
    K.OTHER: ("utilities_supply",),
}
PRODUCT_MIX = (("bbibp", 0.45), ("coronavac", 0.38), ("wibp", 0.12), ("ad5", 0.05))
CAMPAIGN_DAYS = 150  # first doses from this many days ago to today
SECOND_DOSE_SHARE = 0.9  # of those whose window has opened
UNVACCINATED_SHARE = 0.06  # staff on rosters with no dose yet
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


class VaccinationAlreadySeeded(Exception):
    pass


@dataclass
class Seeded:
    sites: int
    persons_created: int
    rostered: int
    doses: int
    overdue: int
    seconds: float


def seeded() -> bool:
    return Site.objects.exists()


def seed_vaccination(
    seed: str = "2021", *, doses: int = 200_000, sites: int = 40, today: date | None = None
) -> Seeded:
    if seeded():
        raise VaccinationAlreadySeeded
    started = time.perf_counter()
    rng = random.Random(f"vaccination-{seed}")
    today = today or timezone.localdate()
    with transaction.atomic():
        site_rows = _sites(rng, sites)
        _slots(site_rows, today)
    result = add_doses(rng, doses, today=today)
    result.sites, result.seconds = len(site_rows), time.perf_counter() - started
    return result


def add_doses(rng, doses: int, *, today: date | None = None) -> Seeded:
    """`doses` more doses at the existing sites, to people not yet on a roster (new
    residents when the city has too few): the benchmark grows the table this way."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        site_rows = list(Site.objects.order_by("pk"))
        employers = _employers()
        # About 1.75 doses a vaccinated person; the rest of the people stay unvaccinated.
        needed = int(doses / 1.6 * (1 + UNVACCINATED_SHARE)) + 100
        persons, created = _persons(rng, needed, today)
        tables = [m._meta.db_table for m in (Dose, Series, RosterEntry)]
        with indexes_built_afterwards(*tables):
            plan = _plan(rng, persons, employers, site_rows, doses, today)
            _write(plan)
        _adverse_events(rng, max(1, plan.doses // 2000))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
    return Seeded(
        len(site_rows),
        created,
        len(plan.roster),
        plan.doses,
        plan.overdue,
        time.perf_counter() - started,
    )


def _sites(rng, count: int) -> list[Site]:
    townships = list(
        Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name")
    ) or list(Region.objects.filter(level=Region.Level.COUNTY).values_list("code", "name"))
    chosen = rng.sample(townships, min(count, len(townships)))
    while len(chosen) < count:
        chosen.append(rng.choice(townships))
    rows = [
        Site(
            name=f"{name}接种点{i + 1}",
            region_id=code,
            address=f"{name}卫生院",
            daily_capacity=rng.choice((600, 800, 1000, 1200, 1500)),
        )
        for i, (code, name) in enumerate(chosen)
    ]
    return Site.objects.bulk_create(rows)


def _employers() -> list[tuple[int, str, tuple[str, ...]]]:
    """(unit id, region code, its groups) for every unit of a kind with key-group staff;
    a township's government weighs as much as a county department."""
    return [
        (pk, region, GROUPS_OF_KIND[kind])
        for pk, region, kind in Unit.objects.values_list("pk", "region_id", "kind")
        if kind in GROUPS_OF_KIND
    ]


def _persons(rng, needed: int, today: date) -> tuple[list[tuple[int, date]], int]:
    """(person id, birth date) of people aged 20 to 57 (eligible throughout the campaign),
    topped up with new residents when the city has too few."""
    young = today.replace(year=today.year - 20)
    old = today.replace(year=today.year - 57)
    # NOT EXISTS (an anti-join): NOT IN over a million listed ids is planned row by row.
    listed = RosterEntry.objects.filter(person_id=OuterRef("pk"))
    found = list(
        Person.objects.filter(birth_date__gte=old, birth_date__lte=young)
        .exclude(Exists(listed))
        .order_by("pk")
        .values_list("pk", "birth_date")[:needed]
    )
    missing = needed - len(found)
    if missing <= 0:
        return found, 0
    regions = list(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
    regions = regions or list(Region.objects.values_list("code", flat=True))
    # Every number held, so a new resident never takes one (no person is looked up here).
    held = set(Person.objects.filter(id_number__isnull=False).values_list("id_number", flat=True))
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    now = naive_utc(timezone.now())
    span = (young - old).days

    def rows():
        made = 0
        while made < missing:
            region = rng.choice(regions)
            born = old + timedelta(days=rng.randrange(span))
            sex = rng.choice("MF")
            number = make_id_number(region[:6], born, rng.randrange(500), sex)
            if number in held:
                continue
            held.add(number)
            made += 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
            phone = f"13{rng.randrange(10**9):09d}"
            yield (name, sex, born, number, "", "CHN", phone, None, "", region, None, now, now)

    columns = (
        "name", "sex", "birth_date", "id_number", "passport_number", "nationality", "phone",
        "household_id", "address", "region_id", "workplace_id", "created_at", "updated_at",
    )  # fmt: skip
    created = bulk_insert(Person._meta.db_table, columns, rows())
    found += list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "birth_date"))
    return found, created


@dataclass
class _Plan:
    roster: list
    series: list
    doses_rows: list
    stock: Counter
    coverage: dict
    doses: int = 0
    overdue: int = 0


def _plan(rng, persons, employers, sites, target: int, today: date) -> _Plan:
    rules = policy.active().vaccination
    products = {p.code: p for p in rules.products}
    plan = _Plan([], [], [], Counter(), {})
    now = naive_utc(timezone.now())
    weights = [w for _code, w in PRODUCT_MIX]
    codes = [code for code, _w in PRODUCT_MIX]
    for person_id, _born in persons:
        unit_id, unit_region, groups = rng.choice(employers)
        group = rng.choice(groups)
        plan.roster.append((unit_id, person_id, group, "", unit_region, now))
        key = (unit_region, unit_id, group)
        tally = plan.coverage.setdefault(key, [0, 0, 0])
        tally[0] += 1
        if plan.doses >= target or rng.random() < UNVACCINATED_SHARE:
            continue
        product = products[rng.choices(codes, weights)[0]]
        # More first doses early in the campaign than lately (the key groups came first).
        first = today - timedelta(days=int(CAMPAIGN_DAYS * rng.random() ** 0.7))
        days = [first]
        if product.doses > 1 and first + timedelta(product.min_interval_days) <= today:
            if rng.random() < SECOND_DOSE_SHARE:
                second = first + timedelta(
                    rng.randint(product.min_interval_days, product.max_interval_days)
                )
                if second <= today:
                    days.append(second)
        site = rng.choice(sites)
        for number, day in enumerate(days, start=1):
            at = datetime(day.year, day.month, day.day, rng.randrange(0, 9), rng.randrange(60))
            lot = f"{product.code.upper()}{site.pk:03d}{day:%y%m}"
            plan.doses_rows.append(
                (person_id, product.code, lot, site.pk, number, at, None, "{}", group, unit_id,
                 site.region_id)
            )  # fmt: skip
            plan.stock[site.pk, product.code, lot] += 1
            plan.doses += 1
        complete = len(days) >= product.doses
        last = days[-1]
        next_from = None if complete else last + timedelta(product.min_interval_days)
        next_by = None if complete else last + timedelta(product.max_interval_days)
        if next_by is not None and next_by < today:
            plan.overdue += 1
        plan.series.append(
            (person_id, product.code, len(days), product.doses, plan.doses_rows[-1][5],
             next_from, next_by, complete, unit_id, group, unit_region)
        )  # fmt: skip
        tally[1] += 1
        tally[2] += 1 if complete else 0
    return plan


def _write(plan: _Plan) -> None:
    days = Counter(
        (row[10], (row[5] + timedelta(hours=8)).date()) for row in plan.doses_rows
    )  # the site's region, the Beijing day of the dose
    counters.add_flows("vaccination_doses", dict(days))
    bulk_insert(
        RosterEntry._meta.db_table,
        ("unit_id", "person_id", "group", "job", "region_id", "listed_at"),
        plan.roster,
    )
    bulk_insert(
        Series._meta.db_table,
        ("person_id", "product", "doses_given", "doses_needed", "last_dose_at", "next_from",
         "next_by", "complete", "unit_id", "group", "region_id"),
        plan.series,
    )  # fmt: skip
    bulk_insert(
        Dose._meta.db_table,
        ("person_id", "product", "lot", "site_id", "dose_number", "given_at", "vaccinator_id",
         "screening", "group", "unit_id", "region_id"),
        plan.doses_rows,
    )  # fmt: skip
    # A lot already held (a second batch of doses, the benchmark's) grows; others are new.
    held = {
        (site, product, lot): (pk, received, used, wasted)
        for pk, site, product, lot, received, used, wasted in StockLot.objects.values_list(
            "pk", "site_id", "product", "lot", "received", "used", "wasted"
        )
    }
    stock, grown = [], []
    for key, used in sorted(plan.stock.items()):
        wasted = used // 80
        if key in held:
            pk, had_received, had_used, had_wasted = held[key]
            grown.append((pk, had_received + used + wasted, had_used + used, had_wasted + wasted))
        else:
            stock.append((*key, None, used + wasted + 40, used, wasted))
    bulk_insert(
        StockLot._meta.db_table,
        ("site_id", "product", "lot", "expires_on", "received", "used", "wasted"),
        stock,
    )
    bulk_update(StockLot._meta.db_table, "id", ("received", "used", "wasted"), grown)
    # An upsert: a second batch of doses (the benchmark's) adds to the same employers.
    coverage.add({key: tuple(values) for key, values in plan.coverage.items()})


def _slots(sites: list[Site], today: date) -> None:
    slots = []
    for site in sites:
        for ahead in range(8):
            times = slot_times(today + timedelta(days=ahead))
            share = site.daily_capacity // len(times)
            slots += [Slot(site=site, starts_at=at, capacity=share) for at in times]
    Slot.objects.bulk_create(slots)


def _adverse_events(rng, count: int) -> None:
    """A few common reactions (fever, a sore arm) and some serious ones, half followed up."""
    last = Dose.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picked = {rng.randint(1, last) for _ in range(count)}
    doses = Dose.objects.filter(pk__in=picked).only("pk", "given_at", "region_id")
    rows = []
    for dose in doses:
        serious = rng.random() < 0.1
        state = rng.choice(list(AdverseEvent.State.values))
        rows.append(
            AdverseEvent(
                dose=dose,
                severity="serious" if serious else "mild",
                symptoms="过敏性皮疹" if serious else rng.choice(("接种部位疼痛", "低热", "乏力")),
                onset_at=dose.given_at + timedelta(hours=rng.randint(1, 48)),
                state=state,
                reported_at=dose.given_at + timedelta(hours=rng.randint(49, 72)),
                notes="电话随访，症状已缓解" if state != "reported" else "",
                outcome="痊愈" if state == "closed" else "",
                closed_at=dose.given_at + timedelta(days=5) if state == "closed" else None,
                region_id=dose.region_id,
            )
        )
    AdverseEvent.objects.bulk_create(rows)
