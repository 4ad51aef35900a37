"""What the lab, result and recall tests share: the sampling world (sites, a round over
the city, residents, samplers: tests/testing/sampling_world.py) plus two labs (Gaocheng's
county lab, Chang'an's city lab) with their lab staff, and helpers that carry tubes from
the table to the lab: a pool registered through the sampling service, sealed in a box,
received by the lab. `closed_tubes` writes tubes and samples directly, for the tests that
need many of them."""

from datetime import timedelta
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import Role, Unit
from epicommand.testing.models import Lab, Sample, Tube
from epicommand.testing.services import labs as lab_services
from epicommand.testing.services import sampling, tubes
from tests.tokens import live_token

from .sampling_world import (  # noqa: F401  (fixtures used by the lab tests)
    changan_sampler_fixture,
    gaocheng_sampler_fixture,
    item,
    jianbei_site_fixture,
    new_tube,
    residents,
    round1_fixture,
    site_at,
    zengcun_site_fixture,
)

_boxes = count(1)


def new_box() -> str:
    return f"BOX-{next(_boxes):06d}"


def make_lab(region, name, *, unit=None, capacity=100_000, lat=38.0, lon=114.6, level="county"):
    return Lab.objects.create(
        name=name,
        level=level,
        region=region,
        latitude=lat,
        longitude=lon,
        daily_capacity=capacity,
        unit=unit,
    )


@pytest.fixture(name="gaocheng_lab")
def gaocheng_lab_fixture(city):
    return make_lab(city.gaocheng, "藁城区疾控中心实验室", unit=city.gaocheng_cdc, lat=38.03)


@pytest.fixture(name="changan_lab")
def changan_lab_fixture(city):
    return make_lab(
        city.changan, "长安区疾控中心实验室", unit=city.changan_cdc, lat=38.2, lon=114.9
    )


@pytest.fixture(name="gaocheng_lab_staff")
def gaocheng_lab_staff_fixture(make_user, city):
    return make_user("gaocheng_lab", Role.LAB_STAFF, city.gaocheng, city.gaocheng_cdc)


@pytest.fixture(name="changan_lab_staff")
def changan_lab_staff_fixture(make_user, city):
    return make_user("changan_lab", Role.LAB_STAFF, city.changan, city.changan_cdc)


@pytest.fixture(name="other_gaocheng_lab_staff")
def other_gaocheng_lab_staff_fixture(make_user, city):
    """Lab staff in Gaocheng, but of another unit: not the county lab's."""
    unit = Unit.objects.create(name="第三方检测公司", kind=Unit.Kind.OTHER, region=city.gaocheng)
    return make_user("third_party_lab", Role.LAB_STAFF, city.gaocheng, unit)


@pytest.fixture(name="lab_token")
def lab_token_fixture(city, city_office, gaocheng_lab):
    """The Gaocheng lab's LIS integration token, answering in English."""
    token, secret = live_token(
        name="藁城实验室LIS",
        role=Role.LAB_STAFF,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    token.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    return token


def register_pool(sampler, site, persons, round_obj=None) -> Tube:
    """One tube of these persons through the sampling service; closed when full (or by
    hand when the pool is smaller than the area's pool size)."""
    barcode = new_tube()
    at = timezone.now() - timedelta(minutes=30)
    sampling.register_samples(
        sampler,
        [
            item(f"c-{barcode}-{i}", barcode, p, round_obj=round_obj, at=at)
            for i, p in enumerate(persons)
        ],
        site=site,
    )
    tube = Tube.objects.get(barcode=barcode)
    if tube.status == Tube.Status.OPEN:
        tube = tubes.close_tube(sampler, tube)
    return tube


def deliver(sampler, site, tubes, lab_staff, lab):
    """Seal the tubes in a box at the site and receive it at the lab."""
    box = lab_services.seal_box(sampler, site, new_box(), [t.barcode for t in tubes])
    assert box.lab_id == lab.pk, f"allocated to {box.lab}"
    return lab_services.receive_box(lab_staff, lab, box.barcode)


def closed_tubes(site, persons, *, size=10, round_obj=None, status=Tube.Status.CLOSED, lab=None):
    """Tubes and samples written directly (no service): pools of `size` of these persons."""
    now = timezone.now() - timedelta(hours=1)
    tubes = []
    for start in range(0, len(persons), size):
        members = persons[start : start + size]
        tube = Tube.objects.create(
            barcode=new_tube(),
            purpose=Tube.Purpose.ROUND,
            round=round_obj,
            site=site,
            region_id=site.region_id,
            capacity=size,
            members=len(members),
            status=status,
            opened_at=now,
            closed_at=now,
            lab=lab,
        )
        Sample.objects.bulk_create(
            Sample(
                client_id=f"d-{tube.barcode}-{i}",
                person=p,
                region_id=p.region_id,
                tube=tube,
                round=round_obj,
                sampled_at=now,
            )
            for i, p in enumerate(members)
        )
        tubes.append(tube)
    return tubes


_RESULT_SERIAL = count(1)


def row(tube, result="negative", **values) -> dict:
    """A lab's result item, with a client id of its own."""
    entry = {
        "client_id": f"lab-{next(_RESULT_SERIAL)}",
        "tube": tube.barcode if hasattr(tube, "barcode") else tube,
        "result": result,
    }
    if result == "positive":
        entry.update(ct_orf1ab="28.4", ct_n="30.1")
    entry.update(reagent="达安基因", tested_at=timezone.now() - timedelta(minutes=5))
    entry.update(values)
    return entry
