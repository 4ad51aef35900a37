"""A small vaccination world on the test city: a site in Gaocheng with today's slots and a
lot of each inactivated product, its vaccinator, an employer (Gaocheng's police) with its
officer, and staff of the right age."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role, Unit
from epicommand.people.models import Person
from epicommand.vaccination.models import Site, Slot, StockLot


def make_person(region, n: int, *, born=date(1985, 3, 1), name="王芳", phone=""):
    number = make_id_number(region.code[:6], born, 100 + n, "F")
    return Person.objects.create(
        name=name,
        sex="F",
        birth_date=born,
        id_number=number,
        phone=phone or f"139{n:08d}",
        address="测试路 1 号",
        region=region,
    )


def slot_at(site, hours_from_now=1, capacity=5):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=hours_from_now
    )
    return Slot.objects.create(site=site, starts_at=start, capacity=capacity)


@pytest.fixture
def world(city, make_user):
    site = Site.objects.create(
        name="增村镇卫生院接种点", region=city.zengcun, address="增村镇 1 号", daily_capacity=300
    )
    other_site = Site.objects.create(
        name="建北社区接种点", region=city.street, address="建北街 2 号", daily_capacity=200
    )
    for product in ("bbibp", "coronavac", "wibp", "ad5"):
        StockLot.objects.create(site=site, product=product, lot="L1", received=100)
    police = Unit.objects.create(
        name="藁城区公安局", kind=Unit.Kind.PUBLIC_SECURITY, region=city.gaocheng
    )
    changan_police = Unit.objects.create(
        name="长安区公安局", kind=Unit.Kind.PUBLIC_SECURITY, region=city.changan
    )
    return SimpleNamespace(
        site=site,
        other_site=other_site,
        police=police,
        changan_police=changan_police,
        vaccinator=make_user("nurse", Role.VACCINATOR, city.gaocheng, city.gaocheng_cdc),
        changan_vaccinator=make_user(
            "changan_nurse", Role.VACCINATOR, city.changan, city.changan_cdc
        ),
        officer=make_user("police_officer", Role.DEPARTMENT_OFFICER, city.gaocheng, police),
        changan_officer=make_user(
            "changan_officer", Role.DEPARTMENT_OFFICER, city.changan, changan_police
        ),
        county_office=make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng),
        changan_office=make_user("changan_office", Role.COUNTY_OFFICE, city.changan),
    )


NO = {
    code: False
    for code in (
        "allergy",
        "fever",
        "pregnant",
        "uncontrolled_disease",
        "immune",
        "reaction_before",
    )
}


def at_day(days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))
