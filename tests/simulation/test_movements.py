"""seed-control: a week of place-code scans, checkpoints on the roads out of Gaocheng with
their passages, and Zengcun town high-risk, in the demo city."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from epicommand.control.models import (
    Checkpoint,
    Colour,
    FactKind,
    HealthFact,
    Passage,
    RiskArea,
    RiskLevel,
    Scan,
)
from epicommand.control.services import healthcode
from epicommand.core import counters, policy
from epicommand.core.models import Counter as CounterRow
from epicommand.core.models import Region, Unit
from epicommand.core.recount import recount
from epicommand.people.models import Person
from epicommand.places.models import Venue
from epicommand.simulation.key_areas import ROAD_POSTS, ZENGCUN, seed_control
from epicommand.simulation.movements import GAOCHENG
from epicommand.testing.models import PriorityTest
from tests.built_once import built_once

from .conftest import SEED

CHANGAN = "130102"
CONTROL_TABLES_CHILDREN_FIRST = (
    "control_scan",
    "testing_prioritytest",
    "control_passage",
    "control_checkpoint_units",
    "control_checkpoint",
    "control_colourchange",
    "control_healthcode",
    "control_healthfact",
    "control_riskarea_regions",
    "control_riskarea",
)


def a_past_evening():
    """Today at 21:30 in Shanghai if that has passed, else yesterday's: every day of the
    week is over (or nearly) and nothing lies in the future."""
    local = timezone.localtime()
    evening = local.replace(hour=21, minute=30, second=0, microsecond=0)
    return evening if evening <= local else evening - timedelta(days=1)


@built_once(on="seeded_city")
def week():
    """The demo accounts and a week of movements, built once on the demo city."""
    call_command("demo_accounts", stdout=StringIO())
    now = a_past_evening()
    counts = seed_control(SEED, now=now)
    return type("Week", (), dict(now=now, counts=counts))


def local_days(now, days=7):
    today = timezone.localdate(now)
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def in_region(queryset, prefix, field="region_id"):
    return queryset.filter(**{f"{field}__gte": prefix, f"{field}__lt": prefix + ":"})


def test_every_day_of_the_week_has_scans_and_no_scan_is_in_the_future(week):
    times = list(Scan.objects.values_list("scanned_at", flat=True))
    days = Counter(timezone.localdate(t) for t in times)
    assert sorted(days) == local_days(week.now)
    assert all(n > 500 for n in days.values())  # 2,000 persons; fewer out at weekends
    assert max(times) <= week.now
    assert Scan.objects.count() == week.counts.scans
    assert set(Scan.objects.values_list("colour", flat=True)) <= {Colour.GREEN, Colour.YELLOW}


def test_everyone_with_a_home_compound_scans_there_every_day(week):
    compounds = Venue.objects.filter(kind=Venue.Kind.RESIDENTIAL_COMPOUND)
    near = {}  # village or township code -> compounds there
    for pk, region in compounds.values_list("id", "region_id"):
        near.setdefault(region, set()).add(pk)
        near.setdefault(region[:9], set()).add(pk)
    homes = {
        pk: near.get(region) or near[region[:9]]
        for pk, region in Person.objects.values_list("id", "region_id")
        if region in near or region[:9] in near
    }
    assert len(homes) > 20  # a 2,000-person city has few compounds
    at_home = {
        (person, timezone.localdate(t))
        for person, venue, t in Scan.objects.filter(venue__in=compounds).values_list(
            "person_id", "venue_id", "scanned_at"
        )
        if venue in homes.get(person, ())
    }
    for person in homes:
        for day in local_days(week.now):
            assert (person, day) in at_home


def test_schools_and_factories_are_scanned_on_weekday_mornings_shops_and_stations_too(week):
    scans = list(Scan.objects.select_related("venue"))
    workers = dict(Person.objects.filter(workplace__isnull=False).values_list("id", "workplace"))
    at_work = [
        s
        for s in scans
        if workers.get(s.person_id) == s.venue_id
        and s.venue.kind in (Venue.Kind.SCHOOL, Venue.Kind.FACTORY)
    ]
    assert len(at_work) > 100
    for scan in at_work:
        local = timezone.localtime(scan.scanned_at)
        assert local.weekday() < 5 and 7 <= local.hour < 9
    kinds = Counter(s.venue.kind for s in scans)
    assert kinds[Venue.Kind.MARKET] + kinds[Venue.Kind.SUPERMARKET] > 1000
    assert kinds[Venue.Kind.TRANSPORT_HUB] > 0
    assert all(6 <= timezone.localtime(s.scanned_at).hour <= 23 for s in scans)


def snapshot():
    scans = list(
        Scan.objects.order_by("client_id").values_list(
            "client_id", "person_id", "venue_id", "scanned_at", "colour", "method"
        )
    )
    passages = list(
        Passage.objects.order_by("client_id").values_list(
            "client_id", "checkpoint__name", "person_id", "passed_at", "temperature", "verdict"
        )
    )
    return scans, passages


def test_the_same_seed_and_moment_give_the_same_week(week):
    first = snapshot()
    with connection.cursor() as cursor:
        for table in CONTROL_TABLES_CHILDREN_FIRST:
            cursor.execute(f"DELETE FROM {table}")
    seed_control(SEED, now=week.now)
    assert snapshot() == first
    assert len(first[0]) > 10_000 and first[1]


def test_checkpoints_stand_on_the_roads_out_of_gaocheng_staffed_by_its_units(week):
    roads = in_region(Checkpoint.objects, GAOCHENG).filter(
        kind__in=[Checkpoint.Kind.ROAD, Checkpoint.Kind.HIGHWAY_EXIT]
    )
    assert sorted(roads.values_list("name", flat=True)) == sorted(p.name for p in ROAD_POSTS)
    police = Unit.objects.get(region_id=GAOCHENG, kind=Unit.Kind.PUBLIC_SECURITY)
    transport = Unit.objects.get(region_id=GAOCHENG, kind=Unit.Kind.TRANSPORT)
    assert police.name == "石家庄市公安局藁城分局"
    for checkpoint in roads.prefetch_related("units"):
        assert police in checkpoint.units.all()
        assert Region.objects.get(code=checkpoint.region_id).parent_id == GAOCHENG
        assert abs(checkpoint.latitude - 38.02) < 0.2 and abs(checkpoint.longitude - 114.85) < 0.2
        if checkpoint.kind == Checkpoint.Kind.HIGHWAY_EXIT:
            assert transport in checkpoint.units.all()
    markets = in_region(Checkpoint.objects, GAOCHENG).filter(kind=Checkpoint.Kind.VENUE_ENTRANCE)
    assert markets.count() == 3
    assert {c.venue.kind for c in markets} == {Venue.Kind.MARKET}
    assert any(c.venue.region_id.startswith(ZENGCUN) for c in markets)


def test_passages_go_both_ways_with_plates_and_verdicts_by_the_rules(week):
    passages = list(Passage.objects.select_related("checkpoint"))
    assert len(passages) == week.counts.passages > 50
    assert {p.direction for p in passages} == {"in", "out"}
    plates = [p.plate for p in passages if p.plate]
    assert plates and all(p.startswith("冀A") and len(p) == 7 for p in plates)
    threshold = policy.active().fever_threshold_c
    for p in passages:
        assert 36.0 <= float(p.temperature) <= 43.0
        assert p.checkpoint.region_id.startswith(GAOCHENG) and p.region_id == p.checkpoint.region_id
        if float(p.temperature) >= threshold:
            assert p.verdict == "deny" and "fever" in p.reasons
            fact = HealthFact.objects.get(kind=FactKind.FEVER, source_key=f"passage:{p.client_id}")
            assert fact.person_id == p.person_id
            assert PriorityTest.objects.filter(source_key=f"passage:{p.client_id}").exists()
        elif p.vehicle_people <= 1:
            assert p.verdict == "pass"


def test_zengcun_is_high_risk_and_its_residents_are_red_while_others_stay_green(week):
    area = RiskArea.objects.get(status=RiskArea.Status.IN_FORCE)
    assert (area.level, area.rule) == (RiskLevel.HIGH, RiskArea.Rule.MANUAL)
    assert list(area.regions.values_list("code", flat=True)) == [ZENGCUN]
    assert area.confirmed_by.username == "city_office"
    assert "高风险地区" in area.reasons
    residents = list(in_region(Person.objects, ZENGCUN).values_list("id", flat=True))
    assert residents
    assert set(healthcode.colours_of(residents).values()) == {Colour.RED}

    window = week.now - timedelta(days=policy.active().risk_visit_window_days)
    visitors = set(
        in_region(Scan.objects, ZENGCUN, "venue__region_id")
        .filter(scanned_at__gte=window)
        .exclude(person_id__in=residents)
        .values_list("person_id", flat=True)
    )
    assert set(healthcode.colours_of(visitors).values()) <= {Colour.RED}
    feverish = set(
        HealthFact.objects.filter(kind=FactKind.FEVER).values_list("person_id", flat=True)
    )
    changan = set(in_region(Person.objects, CHANGAN).values_list("id", flat=True))
    never_there = changan - visitors - feverish
    assert len(never_there) > 100
    assert set(healthcode.colours_of(never_there).values()) == {Colour.GREEN}


def counter_rows(metric):
    return dict(
        ((region, day), value)
        for region, day, value in CounterRow.objects.filter(metric=metric).values_list(
            "region_id", "day", "value"
        )
        if value
    )


def test_scan_and_passage_counters_equal_the_tables_and_a_recount(week):
    expected = Counter()
    for region, at in Scan.objects.values_list("region_id", "scanned_at"):
        for code in counters.counter_regions(region):
            expected[code, timezone.localdate(at)] += 1
    assert counter_rows("scans") == dict(expected)
    kept = {m: counter_rows(m) for m in ("scans", "passages", "passages_denied")}
    assert sum(v for (r, _d), v in kept["passages"].items() if r == GAOCHENG) == (
        week.counts.passages
    )
    recount(today=timezone.localdate(week.now))
    assert {m: counter_rows(m) for m in kept} == kept


def test_if_empty_leaves_a_seeded_week_alone(week):
    before = Scan.objects.count()
    out = StringIO()
    call_command("seed_control", if_empty=True, stdout=out)
    assert "nothing to do" in out.getvalue()
    with pytest.raises(CommandError, match="already has scans"):
        call_command("seed_control", stdout=StringIO())
    assert Scan.objects.count() == before


def test_it_asks_for_the_demo_accounts_first(seeded_city):
    with pytest.raises(CommandError, match="demo-accounts"):
        call_command("seed_control", stdout=StringIO())
    assert not Scan.objects.exists() and not Checkpoint.objects.exists()
