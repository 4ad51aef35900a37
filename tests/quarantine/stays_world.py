"""A Gaocheng camp and a Chang'an hotel with their staff, and persons to put in them, for
the tests of sites, stays, capacity and the room board (Q1's room)."""

from datetime import date, timedelta

import pytest

from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role, Unit
from epicommand.people.models import Household, Person
from epicommand.quarantine.models import Room, Site
from epicommand.quarantine.services import sites as site_services


@pytest.fixture(name="gaocheng_health")
def gaocheng_health_fixture(city):
    return Unit.objects.create(
        name="藁城区卫生健康局", kind=Unit.Kind.HEALTH_COMMISSION, region=city.gaocheng
    )


@pytest.fixture(name="gaocheng_office")
def gaocheng_office_fixture(make_user, city):
    unit = Unit.objects.create(
        name="藁城区疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city.gaocheng
    )
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, unit)


@pytest.fixture(name="changan_office")
def changan_office_fixture(make_user, city):
    unit = Unit.objects.create(
        name="长安区疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city.changan
    )
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan, unit)


@pytest.fixture(name="site_manager")
def site_manager_fixture(make_user, city, gaocheng_health):
    return make_user("huangzhuang_manager", Role.QUARANTINE_STAFF, city.gaocheng, gaocheng_health)


@pytest.fixture(name="camp")
def camp_fixture(gaocheng_office, site_manager, gaocheng_health, city):
    """Two floors of five single rooms (A101-A105, A201-A205) and two family rooms of
    three beds (F101, F102)."""
    site = site_services.create_site(
        gaocheng_office,
        name="黄庄集中隔离点",
        kind=Site.Kind.CAMP,
        region_id=city.zengcun.code,
        address="藁城区增村镇黄庄",
        latitude=38.03,
        longitude=114.86,
        unit_id=gaocheng_health.pk,
        manager_id=site_manager.pk,
        manager_phone="13900001111",
    )
    site_services.add_rooms(
        gaocheng_office, site, building="A", floor_from=1, floor_to=2, rooms_per_floor=5
    )
    site_services.add_rooms(
        gaocheng_office,
        site,
        building="F",
        floor_from=1,
        floor_to=1,
        rooms_per_floor=2,
        kind=Room.Kind.FAMILY,
        beds=3,
    )
    return site


@pytest.fixture(name="hotel")
def hotel_fixture(changan_office, city):
    unit = Unit.objects.create(
        name="长安区卫生健康局", kind=Unit.Kind.HEALTH_COMMISSION, region=city.changan
    )
    site = site_services.create_site(
        changan_office,
        name="建北宾馆",
        kind=Site.Kind.HOTEL,
        region_id=city.street.code,
        address="长安区建北街道 1 号",
        latitude=38.06,
        longitude=114.54,
        unit_id=unit.pk,
    )
    site_services.add_rooms(
        changan_office, site, building="", floor_from=3, floor_to=3, rooms_per_floor=4
    )
    return site


def room(site, label: str) -> Room:
    return next(r for r in Room.objects.filter(site=site) if str(r) == label)


_made = {"n": 0}


def make_person(region, *, household=None, name=None) -> Person:
    _made["n"] += 1
    n = _made["n"]
    born = date(1960, 1, 1) + timedelta(days=37 * n)
    return Person.objects.create(
        name=name or f"居民{n}",
        sex="M" if n % 2 else "F",
        birth_date=born,
        id_number=make_id_number(region.code[:6], born, n % 400, "M" if n % 2 else "F"),
        phone=f"139{n:08d}",
        household=household,
        address=f"{region.name} {n} 号",
        region=region,
    )


def make_household(region, code: str) -> Household:
    return Household.objects.create(code=code, region=region, address=f"{region.name} {code}")


def login_en(user):
    """A logged-in client reading the pages in English (Chinese is the default)."""
    from tests.conftest import login

    client = login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
