"""Fixtures the web tests share on top of tests/conftest.py."""

import pytest

from epicommand.core.models import Role
from epicommand.places.models import Venue


@pytest.fixture
def administrator(make_user, city):
    return make_user("admin", Role.ADMINISTRATOR, city.sjz)


@pytest.fixture
def gaocheng_supervisor(make_user, city):
    return make_user("gaocheng_supervisor", Role.SUPERVISOR, city.gaocheng)


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def market(city):
    return Venue.objects.create(
        name="增村农贸市场",
        kind=Venue.Kind.MARKET,
        address="增村镇中心街 1 号",
        region=city.zengcun,
        latitude=38.02,
        longitude=114.85,
    )


@pytest.fixture
def school(city):
    return Venue.objects.create(
        name="建北小学",
        kind=Venue.Kind.SCHOOL,
        address="建北街 8 号",
        region=city.street,
        latitude=38.05,
        longitude=114.52,
    )
