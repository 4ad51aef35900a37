"""The demo outbreak in Zengcun: cases registered day by day through the case service,
spreading through households, a workplace and the market; clusters follow; a second run
with --if-empty changes nothing."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from epicommand.control.models import Colour, Scan
from epicommand.core.models import Role
from epicommand.people.models import Household
from epicommand.places.models import Venue
from epicommand.simulation import outbreak
from epicommand.tracing.models import Case, Cluster, Contact, InfectionLink
from tests.tracing.clusters_world import make_person

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 21, 0, tzinfo=SHANGHAI)


@pytest.fixture
def town(city, make_user):
    """Six households of three in Xiaoguozhuang, all working at one mill, all shopping at
    the Zengcun market at the same hour every day of the week."""
    make_user("gaocheng_epi", Role.EPIDEMIOLOGIST, city.gaocheng, city.gaocheng_cdc)
    make_user("city_epi", Role.EPIDEMIOLOGIST, city.sjz, city.gaocheng_cdc)
    market = Venue.objects.create(
        name="增村农贸市场", kind=Venue.Kind.MARKET, address="增村", region=city.xgz,
        latitude=38.02, longitude=114.85,
    )  # fmt: skip
    mill = Venue.objects.create(
        name="增村纺织厂", kind=Venue.Kind.FACTORY, address="增村", region=city.zengcun,
        latitude=38.03, longitude=114.86,
    )  # fmt: skip
    persons = []
    for h in range(6):
        household = Household.objects.create(code=f"13010910420190{h:02d}", region=city.xgz)
        for _ in range(3):
            person = make_person(city.xgz)
            person.household, person.workplace = household, mill
            person.save(update_fields=["household", "workplace"])
            persons.append(person)
    for back in range(7):
        day = NOW - timedelta(days=back, hours=11)  # 10:00 on each day of the week
        for n, person in enumerate(persons):
            Scan.objects.create(
                client_id=f"outbreak-{back}-{n}", person=person, venue=market, region=city.xgz,
                scanned_at=day + timedelta(minutes=n), colour=Colour.GREEN, method="self",
            )  # fmt: skip
    return persons


def test_the_outbreak_spreads_and_is_registered_day_by_day(town):
    counts = outbreak.seed_outbreak("demo", cases=8, now=NOW)
    cases = list(Case.objects.order_by("reported_at"))
    assert counts.cases == len(cases) >= 2
    assert not counts.refused
    assert {c.person_id for c in cases} <= {p.pk for p in town}
    assert all(c.reported_at <= NOW for c in cases)
    assert len({c.reported_at.astimezone(SHANGHAI).date() for c in cases}) >= 2  # day by day
    assert all(c.onset_date is None or c.onset_date <= date(2026, 11, 21) for c in cases)
    assert InfectionLink.objects.count() == counts.links
    # Household members are close contacts of each case (found as each case was
    # registered): the cases form a cluster.
    assert Contact.objects.filter(found_by="household", degree="close").exists()
    biggest = Cluster.objects.order_by("-cases_count").first()
    assert biggest is not None and biggest.region_id.startswith("130109104")
    assert Case.objects.filter(cluster__isnull=False).count() >= 2


def test_the_same_seed_gives_the_same_outbreak(town):
    rng = outbreak.random.Random("x:outbreak")
    first = outbreak.spread(outbreak.Town.load(NOW), rng, target=8, now=NOW)
    rng = outbreak.random.Random("x:outbreak")
    again = outbreak.spread(outbreak.Town.load(NOW), rng, target=8, now=NOW)
    assert [(i.person, i.by, i.setting) for i in first] == [
        (i.person, i.by, i.setting) for i in again
    ]
    assert [i.by for i in first].count(None) == 1  # one index case


def test_if_empty_leaves_existing_cases_alone(town):
    Case.objects.create(
        person=town[0], region_id=town[0].region_id, classification="mild",
        detection_route="report", reported_at=NOW,
    )  # fmt: skip
    out = StringIO()
    call_command("seed_outbreak", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert Case.objects.count() == 1
