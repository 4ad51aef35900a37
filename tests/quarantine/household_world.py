"""Households kept at home, for the tests of Q3's room: a Xiaoguozhuang family of three, a
Chang'an family, the community workers of both districts and a volunteer team each.

    from .household_world import *  # noqa: F403  (fixtures)
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role
from epicommand.people.models import Household, Person
from epicommand.quarantine.services import households as services
from tests.tokens import live_token

__all__ = [
    "changan_family",
    "changan_team",
    "changan_worker",
    "family",
    "gaocheng_team",
    "gaocheng_worker",
    "home_quarantine",
    "add_person",
    "token_for",
    "until",
]


def add_person(region, household, name, sequence, *, phone="", born=date(1985, 3, 4), sex="F"):
    return Person.objects.create(
        name=name,
        sex=sex,
        birth_date=born,
        id_number=make_id_number(region.code[:6], born, sequence, sex),
        phone=phone,
        household=household,
        address=household.address if household else "",
        region=region,
    )


def until(days: int) -> date:
    """The last day at home, `days` from today (Beijing)."""
    return timezone.localdate() + timedelta(days=days)


def token_for(creator, role, unit, region) -> dict:
    _, secret = live_token(name=f"{role} token", role=role, unit=unit, region=region)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def family(gaocheng_person, city):
    """张伟 (gaocheng_person), his wife and his mother at 小果庄村 12 号."""
    household = gaocheng_person.household
    add_person(city.xgz, household, "王芳", 11, phone="13811112222")
    add_person(city.xgz, household, "李秀兰", 12, born=date(1950, 1, 2))
    return household


@pytest.fixture
def changan_family(changan_person, city):
    household = Household.objects.create(
        code="1301020010010007", region=city.community, address="建北社区 3 栋 2 单元"
    )
    changan_person.household = household
    changan_person.save(update_fields=["household"])
    return household


@pytest.fixture
def gaocheng_worker(make_user, city):
    """The community worker of Zengcun town."""
    return make_user("zengcun_worker", Role.COMMUNITY_WORKER, city.zengcun)


@pytest.fixture
def changan_worker(make_user, city):
    return make_user("changan_worker", Role.COMMUNITY_WORKER, city.changan)


@pytest.fixture
def gaocheng_team(gaocheng_worker, city):
    return services.create_team(
        gaocheng_worker,
        name="增村镇志愿服务队",
        region_id=city.zengcun.code,
        leader="赵强",
        phone="13700007777",
        members=12,
    )


@pytest.fixture
def changan_team(changan_worker, city):
    return services.create_team(
        changan_worker,
        name="建北街道志愿服务队",
        region_id=city.street.code,
        leader="孙丽",
        phone="13700008888",
        members=8,
    )


@pytest.fixture
def home_quarantine(family, gaocheng_worker, gaocheng_team):
    """The family kept at home for four more days, served by Zengcun's worker and team."""
    return services.put_under_home_quarantine(
        gaocheng_worker,
        family,
        reason="同住人为密接者",
        ends_on=until(4),
        community_worker=gaocheng_worker,
        team=gaocheng_team,
    )
