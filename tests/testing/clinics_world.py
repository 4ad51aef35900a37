"""What the fever-clinic and priority-list tests share: a fever clinic in Gaocheng (Zengcun)
and one in Chang'an, their doctors, Gaocheng's and Chang'an's sampling staff, sampling sites
of Gaocheng with known positions, and the village boundaries the "nearest site" is measured
from. Tube barcodes come from a serial range of their own."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from epicommand.core.models import RegionBoundary, Role
from epicommand.testing.barcodes import tube_barcode
from epicommand.testing.models import FeverClinic, PriorityTest, SamplingSite
from epicommand.testing.services import clinics

_serials = count(7_000_000)


def new_tube() -> str:
    return tube_barcode(next(_serials))


def square(lat: float, lon: float, half: float = 0.01) -> dict:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def make_site(region, name, lat, lon, *, opens="07:00", closes="21:00", active=True):
    return SamplingSite.objects.create(
        name=name,
        region=region,
        address=f"{name}广场",
        latitude=lat,
        longitude=lon,
        tables=4,
        opens_at=opens,
        closes_at=closes,
        per_table_hour=40,
        is_active=active,
    )


def list_entry(person, reason, *, listed_at=None, hours=12, sampled_at=None, key=None):
    listed_at = listed_at or timezone.now() - timedelta(hours=1)
    return PriorityTest.objects.create(
        person=person,
        region_id=person.region_id,
        reason=reason,
        detail="",
        source_key=key or f"test:{person.pk}:{reason}:{listed_at.timestamp()}",
        listed_at=listed_at,
        deadline=listed_at + timedelta(hours=hours),
        sampled_at=sampled_at,
    )


def visit(doctor, clinic, person, **changes):
    fields = dict(
        temperature="38.1",
        symptoms=["fever", "cough"],
        epi_history="去过增村镇集市",
        tube_barcode=new_tube(),
    )
    fields.update(changes)
    return clinics.record_visit(doctor, clinic, person, **fields)


@pytest.fixture(name="boundaries")
def boundaries_fixture(city):
    """Xiaoguozhuang around (38.06, 114.93); Jianbei community around (38.06, 114.52)."""
    RegionBoundary.objects.create(region=city.xgz, geometry=square(38.06, 114.93))
    RegionBoundary.objects.create(region=city.community, geometry=square(38.06, 114.52))


@pytest.fixture(name="gaocheng_clinic")
def gaocheng_clinic_fixture(city):
    return FeverClinic.objects.create(
        name="藁城区人民医院发热门诊",
        region=city.gaocheng,
        address="藁城区廉州镇军兴路 11 号",
        latitude=38.024,
        longitude=114.857,
    )


@pytest.fixture(name="changan_clinic")
def changan_clinic_fixture(city):
    return FeverClinic.objects.create(
        name="长安区医院发热门诊",
        region=city.changan,
        address="长安区建设北大街 1 号",
        latitude=38.064,
        longitude=114.522,
    )


@pytest.fixture(name="gaocheng_doctor")
def gaocheng_doctor_fixture(make_user, city):
    return make_user("gaocheng_doctor", Role.CLINICIAN, city.gaocheng, city.gaocheng_cdc)


@pytest.fixture(name="changan_doctor")
def changan_doctor_fixture(make_user, city):
    return make_user("changan_doctor", Role.CLINICIAN, city.changan, city.changan_cdc)


@pytest.fixture(name="gaocheng_office")
def gaocheng_office_fixture(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture(name="gaocheng_sampler")
def gaocheng_sampler_fixture(make_user, city):
    return make_user("gaocheng_sampler_s4", Role.SAMPLING_STAFF, city.gaocheng)


@pytest.fixture(name="changan_sampler")
def changan_sampler_fixture(make_user, city):
    return make_user("changan_sampler_s4", Role.SAMPLING_STAFF, city.changan)


@pytest.fixture(name="gaocheng_sites")
def gaocheng_sites_fixture(city):
    """Two sites of Gaocheng: one 1 km from Xiaoguozhuang, one 10 km away."""
    return (
        make_site(city.zengcun, "增村镇小学采样点", 38.069, 114.93),
        make_site(city.gaocheng, "廉州镇广场采样点", 38.02, 114.85),
    )
