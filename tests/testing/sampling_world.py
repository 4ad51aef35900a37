"""What the sampling tests share: a sampling site in Gaocheng (Zengcun) and one in
Chang'an, a round over the city, sampling staff of each district, residents with valid ID
numbers, tube barcodes, and a device token."""

from datetime import date, timedelta
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control.models import RiskArea
from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role
from epicommand.people.models import Person
from epicommand.testing.barcodes import tube_barcode
from epicommand.testing.models import Round, SamplingSite
from tests.tokens import live_token

_serials = count(1)


def new_tube() -> str:
    """A fresh, valid tube barcode."""
    return tube_barcode(next(_serials))


def residents(region, n: int, *, start: int = 1) -> list[Person]:
    made = [
        Person(
            name=f"居民{start + i}",
            sex="M" if i % 2 else "F",
            birth_date=date(1970, 1, 1) + timedelta(days=i),
            id_number=make_id_number(
                region.code[:6],
                date(1970, 1, 1) + timedelta(days=i),
                100 + i % 800,
                "M" if i % 2 else "F",
            ),
            region=region,
        )
        for i in range(n)
    ]
    return Person.objects.bulk_create(made)


def site_at(region, name: str) -> SamplingSite:
    return SamplingSite.objects.create(
        name=name,
        region=region,
        address=f"{name}广场",
        latitude=38.0,
        longitude=114.6,
        tables=4,
        opens_at="07:00",
        closes_at="21:00",
        per_table_hour=40,
    )


def designate(region, level: str) -> RiskArea:
    area = RiskArea.objects.create(
        name=f"{region.name} {level}",
        level=level,
        status=RiskArea.Status.IN_FORCE,
        rule=RiskArea.Rule.MANUAL,
        region=region,
        in_force_from=timezone.now() - timedelta(days=1),
    )
    area.regions.add(region)
    return area


def item(client_id, tube, person, *, round_obj=None, at=None, **extra) -> dict:
    entry = {
        "client_id": client_id,
        "tube": tube,
        "id_number": person.id_number,
        "sampled_at": (at or timezone.now() - timedelta(minutes=1)).isoformat(),
    }
    if round_obj is not None:
        entry["round_id"] = round_obj.pk
    entry.update(extra)
    return entry


@pytest.fixture(name="zengcun_site")
def zengcun_site_fixture(city):
    return site_at(city.zengcun, "增村镇中心小学采样点")


@pytest.fixture(name="jianbei_site")
def jianbei_site_fixture(city):
    return site_at(city.street, "建北街道采样点")


def round_for(city) -> Round:
    """A round over the whole city, sampling since six hours ago."""
    now = timezone.now()
    found = Round.objects.create(
        name="第一轮全员核酸检测",
        region=city.sjz,
        starts_at=now - timedelta(hours=6),
        ends_at=now + timedelta(days=2),
        status=Round.Status.OPEN,
    )
    found.regions.add(city.sjz)
    return found


@pytest.fixture(name="round1")
def round1_fixture(city):
    return round_for(city)


@pytest.fixture(name="gaocheng_sampler")
def gaocheng_sampler_fixture(make_user, city):
    return make_user("gaocheng_sampler", Role.SAMPLING_STAFF, city.gaocheng, city.gaocheng_cdc)


@pytest.fixture(name="changan_sampler")
def changan_sampler_fixture(make_user, city):
    return make_user("changan_sampler", Role.SAMPLING_STAFF, city.changan, city.changan_cdc)


@pytest.fixture(name="villagers")
def villagers_fixture(city):
    """Twenty residents of Xiaoguozhuang (low risk: pooled 10 to a tube)."""
    return residents(city.xgz, 20)


@pytest.fixture(name="device")
def device_fixture(city, city_office):
    """A Gaocheng sampling device's token, answering in English."""
    token, secret = live_token(
        name="增村采样终端",
        role=Role.SAMPLING_STAFF,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    token.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    return token
