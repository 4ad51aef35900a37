"""A small world for the gatherings tests: the approvers of Gaocheng's Xiaoguozhuang village,
Zengcun town and the county, the foreign affairs office and public security over the city,
an employer, a meeting hall, attendees and a tourist site."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from epicommand.control.models import RiskArea
from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role, Unit
from epicommand.people.models import Person
from epicommand.places.models import Venue


@pytest.fixture
def units(city):
    return SimpleNamespace(
        foreign=Unit.objects.create(
            name="省外事办", kind=Unit.Kind.FOREIGN_AFFAIRS, region=city.sjz
        ),
        police=Unit.objects.create(
            name="市公安局", kind=Unit.Kind.PUBLIC_SECURITY, region=city.sjz
        ),
        employer=Unit.objects.create(
            name="藁城区教育局", kind=Unit.Kind.EDUCATION, region=city.gaocheng
        ),
        tourism=Unit.objects.create(name="市文旅局", kind=Unit.Kind.OTHER, region=city.sjz),
    )


@pytest.fixture
def approvers(make_user, city, units):
    return SimpleNamespace(
        village=make_user("xgz_worker", Role.COMMUNITY_WORKER, city.xgz),
        township=make_user("zengcun_worker", Role.COMMUNITY_WORKER, city.zengcun),
        county=make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng),
        changan=make_user("changan_office", Role.COUNTY_OFFICE, city.changan),
        employer=make_user("edu_officer", Role.DEPARTMENT_OFFICER, city.gaocheng, units.employer),
        foreign=make_user("foreign_officer", Role.DEPARTMENT_OFFICER, city.sjz, units.foreign),
        police=make_user("police_officer", Role.DEPARTMENT_OFFICER, city.sjz, units.police),
        tourism=make_user("tourism_officer", Role.DEPARTMENT_OFFICER, city.sjz, units.tourism),
        gate=make_user("gate_officer", Role.CHECKPOINT_OFFICER, city.gaocheng),
    )


@pytest.fixture
def hall(city):
    return Venue.objects.create(
        name="小果庄村委会礼堂",
        kind=Venue.Kind.OFFICE,
        address="小果庄村 1 号",
        region=city.xgz,
        latitude=38.05,
        longitude=114.85,
    )


def make_people(region, n: int, *, start: int = 0) -> list[Person]:
    """`n` residents of `region` with valid, distinct ID numbers (a birthday per 400)."""

    def born(k: int) -> date:
        return date(1960, 1, 1) + timedelta(days=k // 400)

    return Person.objects.bulk_create(
        Person(
            name=f"参会{k}",
            sex="M" if k % 2 else "F",
            birth_date=born(k),
            id_number=make_id_number(region.code[:6], born(k), k % 400, "M" if k % 2 else "F"),
            phone=f"138{k:08d}",
            address="村内",
            region=region,
        )
        for k in range(start, start + n)
    )


def area_in_force(region, level) -> RiskArea:
    area = RiskArea.objects.create(
        name=f"{region.name}{level}",
        level=level,
        status=RiskArea.Status.IN_FORCE,
        rule=RiskArea.Rule.MANUAL,
        region=region,
        in_force_from=timezone.now() - timedelta(days=1),
    )
    area.regions.add(region)
    return area


def soon(days: int = 3, hours: int = 0):
    start = timezone.now() + timedelta(days=days, hours=hours)
    return start.replace(microsecond=0)


def attendee_rows(people) -> list[dict]:
    return [{"name": p.name, "id_number": p.id_number} for p in people]
