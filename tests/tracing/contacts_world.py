"""What the contact tests share: a Gaocheng case (张伟, onset on the 20th) with a household
of three, a spouse who works at the Zengcun textile mill beside a Gaocheng and a Chang'an
colleague, and the case's visit to the Zengcun market where two shoppers scanned in while
he was there and a third came after. Times are fixed; NOW is the day after onset."""

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from epicommand.control.models import Colour, Scan
from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role
from epicommand.people.models import Person
from epicommand.places.models import Venue
from epicommand.tracing.models import Case, Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI)
ONSET = date(2026, 11, 20)
_sequence = count(100)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def make_person(name, region, *, household=None, workplace=None, phone="13700001111"):
    n = next(_sequence)
    return Person.objects.create(
        name=name,
        sex="F" if n % 2 else "M",
        birth_date=date(1985, 1, 1),
        id_number=make_id_number(region.code[:6], date(1985, 1, 1), n, "F" if n % 2 else "M"),
        phone=phone,
        household=household,
        region=region,
        workplace=workplace,
    )


def make_case(person, *, onset=ONSET, reported_at=NOW):
    return Case.objects.create(
        person=person,
        region_id=person.region_id,
        classification="mild",
        detection_route="mass_testing",
        onset_date=onset,
        reported_at=reported_at,
        confirmed_at=reported_at,
    )


def make_visit(case, venue, start, end, *, status=Visit.Status.CONFIRMED):
    return Visit.objects.create(
        case=case,
        region_id=case.region_id,
        origin=Visit.Origin.INTERVIEW,
        status=status,
        venue=venue,
        started_at=start,
        ended_at=end,
    )


def scan(person, venue, at):
    return Scan.objects.create(
        client_id=f"contact-test-{person.pk}-{venue.pk}-{at.timestamp()}",
        person=person,
        venue=venue,
        region_id=person.region_id,
        scanned_at=at,
        colour=Colour.GREEN,
        method="self",
    )


class World:
    """Named records; see the module docstring."""


@pytest.fixture
def world(city, gaocheng_person, changan_person):
    w = World()
    w.city = city
    w.market = Venue.objects.create(
        name="增村集市",
        kind=Venue.Kind.MARKET,
        address="增村镇集市路 1 号",
        region=city.zengcun,
        latitude=38.02,
        longitude=114.85,
    )
    w.mill = Venue.objects.create(
        name="增村纺织厂",
        kind=Venue.Kind.FACTORY,
        address="增村镇工业路 8 号",
        region=city.zengcun,
        latitude=38.03,
        longitude=114.86,
    )
    w.patient = gaocheng_person
    home = gaocheng_person.household
    w.spouse = make_person("王芳", city.xgz, household=home, workplace=w.mill)
    w.child = make_person("张小明", city.xgz, household=home)
    w.colleague = make_person("赵强", city.xgz, workplace=w.mill)
    w.changan_colleague = make_person("孙丽", city.community, workplace=w.mill)
    w.shopper = make_person("刘洋", city.xgz)
    w.changan_shopper = changan_person
    w.late_shopper = make_person("陈静", city.xgz)
    w.case = make_case(gaocheng_person)
    # At the market 08:00-09:00 on the 19th; margins widen it to 07:30-09:30.
    w.visit = make_visit(w.case, w.market, local(19, 8), local(19, 9))
    scan(w.patient, w.market, local(19, 8))
    scan(w.shopper, w.market, local(19, 8, 10))  # 08:10-09:10: 60 minutes
    scan(w.changan_shopper, w.market, local(19, 9, 10))  # 09:10-09:30: 20 minutes
    scan(w.late_shopper, w.market, local(19, 9, 40))  # after the window
    return w


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


@pytest.fixture
def leader(make_user, city):
    return make_user("leader", Role.LEADER, city.sjz)


def later(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)
