"""A small outbreak over four days, written through tracing's services: cases confirmed,
asymptomatic infections (one reclassified as confirmed), suspected cases, a death."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from epicommand.core.models import Role
from epicommand.people.models import Person
from epicommand.tracing.models import Classification as C
from epicommand.tracing.models import DetectionRoute
from epicommand.tracing.services import cases as case_services

_serial = iter(range(1, 10_000))


def moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def person_in(region) -> Person:
    n = next(_serial)
    return Person.objects.create(
        name=f"居民{n}",
        sex="M",
        birth_date=date(1980, 1, 1),
        id_number=f"13010919800101{n:04d}",
        phone=f"1380000{n:04d}",
        address="测试地址",
        region=region,
    )


def register(actor, region, classification, at) -> object:
    return case_services.register_case(
        actor,
        person_in(region),
        classification=classification,
        detection_route=DetectionRoute.MASS_TESTING,
        sampling_date=at.date(),
        reported_at=at,
        now=at,
    )


@pytest.fixture
def leader(make_user, city):
    return make_user("leader", Role.LEADER, city.sjz)


@pytest.fixture
def mayor(make_user, city):
    return make_user("mayor", Role.LEADER, city.sjz)


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


@pytest.fixture
def outbreak(city, city_office):
    """Day 1: 3 confirmed and 2 asymptomatic in Xiaoguozhuang, 1 suspected in Jianbei.
    Day 2: one asymptomatic reclassified as confirmed (moderate), 1 confirmed in Jianbei,
    a death in Xiaoguozhuang. Day 3: 1 asymptomatic, 1 severe in Xiaoguozhuang."""
    today = timezone.localdate()
    d1, d2, d3 = (today - timedelta(days=n) for n in (4, 3, 2))
    office = city_office
    day1 = [register(office, city.xgz, C.MILD, moment(d1, h)) for h in (9, 10, 11)]
    asym = [register(office, city.xgz, C.ASYMPTOMATIC, moment(d1, h)) for h in (12, 13)]
    register(office, city.community, C.SUSPECTED, moment(d1, 14))
    case_services.reclassify(office, asym[0], C.MODERATE, at=moment(d2, 9))
    register(office, city.community, C.MILD, moment(d2, 10))
    case_services.record_outcome(office, day1[0], "died", at=moment(d2, 15))
    register(office, city.xgz, C.ASYMPTOMATIC, moment(d3, 9))
    register(office, city.xgz, C.SEVERE, moment(d3, 10))
    return SimpleNamespace(days=(d1, d2, d3), asym=asym, first=day1)
