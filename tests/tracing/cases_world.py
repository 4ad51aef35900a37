"""Records the case tests build on: a Gaocheng person with a workplace, a market and a
checkpoint they passed, and their place-code scans, all at fixed times."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from epicommand.control.models import Checkpoint, Colour, Passage, Scan
from epicommand.core.models import Role
from epicommand.places.models import Venue

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The "today" of the case tests: onset on the 20th, reported on the 21st.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI)
ONSET = date(2026, 11, 20)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(name="market")
def market_fixture(city):
    return Venue.objects.create(
        name="增村集市",
        kind=Venue.Kind.MARKET,
        address="增村镇集市路 1 号",
        region=city.zengcun,
        latitude=38.02,
        longitude=114.85,
    )


@pytest.fixture(name="factory")
def factory_fixture(city):
    return Venue.objects.create(
        name="增村纺织厂",
        kind=Venue.Kind.FACTORY,
        address="增村镇工业路 8 号",
        region=city.zengcun,
        latitude=38.03,
        longitude=114.86,
    )


@pytest.fixture(name="checkpoint")
def checkpoint_fixture(city):
    return Checkpoint.objects.create(
        name="增村东卡口",
        kind=Checkpoint.Kind.ROAD,
        region=city.zengcun,
        road="S302",
        latitude=38.04,
        longitude=114.88,
    )


def scan(person, venue, at, n=[0]):  # noqa: B006 - a counter for unique client ids
    n[0] += 1
    return Scan.objects.create(
        client_id=f"case-test-scan-{n[0]}-{at.timestamp()}",
        person=person,
        venue=venue,
        region=venue.region,
        scanned_at=at,
        colour=Colour.GREEN,
        method="self",
    )


def passage(person, point, at):
    return Passage.objects.create(
        client_id=f"case-test-passage-{person.pk}-{at.timestamp()}",
        checkpoint=point,
        region=point.region,
        person=person,
        passed_at=at,
        direction="in",
        colour=Colour.GREEN,
        verdict="pass",
    )


@pytest.fixture(name="gaocheng_investigator")
def gaocheng_investigator_fixture(make_user, city):
    return make_user("gaocheng_investigator", Role.EPIDEMIOLOGIST, city.zengcun, city.gaocheng_cdc)


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)
