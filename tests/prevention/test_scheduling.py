"""Inspections are scheduled per unit by its category and its area's risk (policy): a new
unit is due at once; after an inspection the next is due after the category's interval at
the area's level; a risk area declared later brings the units inside it forward."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.control.models import RiskLevel
from epicommand.core import policy
from epicommand.prevention.models import PreventionUnit
from epicommand.prevention.services import inspections, units

from .world import all_passed, area_in_force

pytestmark = pytest.mark.django_db


def test_the_interval_comes_from_the_category_and_the_risk_level():
    rules = policy.active().prevention
    assert rules.interval_days("market", "low") == 7
    assert rules.interval_days("market", "high") == 1
    assert rules.interval_days("enterprise", "low") == 30
    assert rules.interval_days("enterprise", "medium") == 14
    assert rules.interval_days("school", "high") < rules.interval_days("school", "low")


def test_a_new_unit_is_due_at_once(world):
    assert world.market_unit.next_due_at <= timezone.now()
    due = PreventionUnit.objects.filter(next_due_at__lte=timezone.now())
    assert set(due) == {world.market_unit, world.school_unit}


def test_after_an_inspection_a_market_in_a_low_risk_area_is_due_in_seven_days(world):
    now = timezone.now()
    unit = world.market_unit
    inspections.inspect_unit(world.gaocheng_inspector, unit, results=all_passed(unit), now=now)
    unit.refresh_from_db()
    assert unit.next_due_at == now + timedelta(days=7)
    assert unit.score == 100


def test_in_a_high_risk_area_a_market_is_due_the_next_day(world, city):
    area_in_force(city.zengcun, RiskLevel.HIGH)
    now = timezone.now()
    unit = world.market_unit
    inspection = inspections.inspect_unit(
        world.gaocheng_inspector, unit, results=all_passed(unit), now=now
    )
    unit.refresh_from_db()
    assert inspection.risk_level == "high"
    assert unit.next_due_at == now + timedelta(days=1)


def test_an_enterprise_in_a_medium_risk_county_waits_fourteen_days(world, city):
    area_in_force(city.gaocheng, RiskLevel.MEDIUM)
    unit = units.register_unit(
        world.gaocheng_office,
        name="藁城纺织厂",
        category="enterprise",
        region_code=city.zengcun.code,
        responsible_name="赵厂长",
        responsible_phone="13700003333",
    )
    now = timezone.now()
    inspections.inspect_unit(world.gaocheng_inspector, unit, results=all_passed(unit), now=now)
    unit.refresh_from_db()
    assert unit.next_due_at == now + timedelta(days=14)


def test_a_risk_area_declared_later_brings_the_units_inside_it_forward(world, city):
    then = timezone.now() - timedelta(hours=2)
    for unit, inspector in (
        (world.market_unit, world.gaocheng_inspector),
        (world.school_unit, world.changan_inspector),
    ):
        inspections.inspect_unit(inspector, unit, results=all_passed(unit), now=then)
    area_in_force(city.xgz, RiskLevel.HIGH)

    assert units.schedule_by_risk() == 1

    market, school = (
        PreventionUnit.objects.get(pk=u.pk) for u in (world.market_unit, world.school_unit)
    )
    assert market.next_due_at == then + timedelta(days=1)
    assert school.next_due_at == then + timedelta(days=14)  # Chang'an stays low
    assert units.schedule_by_risk() == 0  # nothing moves twice


def test_registering_refuses_an_unknown_category_and_a_place_outside_the_county(world, city):
    with pytest.raises(ValidationError) as refused:
        units.register_unit(
            world.gaocheng_office,
            name="x",
            category="casino",
            venue_id=world.school.pk,
            responsible_name="",
            responsible_phone="abc",
        )
    errors = refused.value.message_dict
    assert set(errors) == {"category", "venue_id", "responsible_name", "responsible_phone"}
    assert PreventionUnit.objects.count() == 2
