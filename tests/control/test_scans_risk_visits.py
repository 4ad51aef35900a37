"""A scan at a venue inside a risk area in force is a visit to that area: a health-code
fact, one per person, area and day, that turns the visitor's code red (high) or yellow
(medium) after the scan."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control.models import (
    Colour,
    FactKind,
    HealthFact,
    RiskArea,
    RiskLevel,
    Scan,
    ScanMethod,
)
from epicommand.control.services import healthcode
from epicommand.control.services import scans as services

from .scan_world import device_fixture, item, market_fixture, school_fixture  # noqa: F401  fixtures

pytestmark = pytest.mark.django_db


def _area_in_force(region, level, *, since=timedelta(days=1)) -> RiskArea:
    area = RiskArea.objects.create(
        name=f"{region.name}{level}",
        level=level,
        status=RiskArea.Status.IN_FORCE,
        rule=RiskArea.Rule.MANUAL,
        region=region,
        in_force_from=timezone.now() - since,
    )
    area.regions.add(region)
    return area


def _colour(person) -> str:
    return healthcode.colours_of([person.pk])[person.pk]


def test_a_scan_in_a_high_risk_area_turns_the_visitor_red(device, market, changan_person, city):
    area = _area_in_force(city.zengcun, RiskLevel.HIGH)

    device.post([item("v-1", market, changan_person)])

    [fact] = HealthFact.objects.filter(person=changan_person)
    assert fact.kind == FactKind.HIGH_RISK_VISIT
    scanned_at = Scan.objects.get().scanned_at
    day = timezone.localdate(scanned_at).isoformat()
    assert fact.source_key == f"visit:{area.pk}:{changan_person.pk}:{day}"
    assert fact.started_at == fact.ended_at == scanned_at
    assert fact.region_id == changan_person.region_id
    assert market.name in fact.detail
    assert _colour(changan_person) == Colour.RED
    # The door saw the colour the code showed before the visit was known.
    assert Scan.objects.get().colour == Colour.GREEN


def test_a_scan_in_a_medium_risk_area_turns_the_visitor_yellow(
    device, market, changan_person, city
):
    _area_in_force(city.gaocheng, RiskLevel.MEDIUM)
    device.post([item("v-1", market, changan_person)])
    assert HealthFact.objects.get(person=changan_person).kind == FactKind.MEDIUM_RISK_VISIT
    assert _colour(changan_person) == Colour.YELLOW


def test_a_days_scans_make_one_fact_and_a_later_day_another(device, market, changan_person, city):
    _area_in_force(city.zengcun, RiskLevel.HIGH, since=timedelta(days=3))
    # Yesterday 08:00, 10:00 and 11:00 Beijing time, whatever the hour of the run.
    yesterday = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday -= timedelta(days=1)
    now = timezone.now()

    def at(hour):
        return now - (yesterday + timedelta(hours=hour))

    device.post(
        [
            item("v-2", market, changan_person, ago=at(10)),
            item("v-1", market, changan_person, ago=at(8)),
        ]
    )
    device.post([item("v-3", market, changan_person, ago=at(11))])
    [fact] = HealthFact.objects.filter(person=changan_person)
    assert fact.started_at == Scan.objects.get(client_id="v-2").scanned_at

    scan = services.record_scan(None, changan_person, market, method=ScanMethod.SELF)
    latest = HealthFact.objects.filter(person=changan_person).order_by("-started_at").first()
    assert HealthFact.objects.filter(person=changan_person).count() == 2
    assert latest.started_at == scan.scanned_at
    # Red runs from the latest visit, not from yesterday's.
    reasons = healthcode.current(changan_person).reasons
    red_until = max(r["until"] for r in reasons if r["colour"] == Colour.RED)
    assert red_until == (scan.scanned_at + timedelta(days=14)).isoformat()


def test_a_resident_of_the_area_is_no_visitor_of_it(device, market, gaocheng_person, city):
    _area_in_force(city.zengcun, RiskLevel.HIGH)
    device.post([item("v-1", market, gaocheng_person)])
    assert not HealthFact.objects.filter(person=gaocheng_person).exists()


def test_a_scan_long_before_the_designation_is_no_visit(device, market, changan_person, city):
    # In force since yesterday; the 8th edition counts visits 14 days before that.
    _area_in_force(city.zengcun, RiskLevel.HIGH, since=timedelta(days=1))
    device.post([item("v-1", market, changan_person, ago=timedelta(days=20))])
    assert not HealthFact.objects.exists()
    device.post([item("v-2", market, changan_person, ago=timedelta(days=10))])
    assert HealthFact.objects.filter(person=changan_person).count() == 1


def test_scans_outside_risk_areas_record_no_fact(device, market, school, changan_person, city):
    _area_in_force(city.zengcun, RiskLevel.LOW)
    device.post([item("v-1", market, changan_person), item("v-2", school, changan_person)])
    assert Scan.objects.count() == 2
    assert not HealthFact.objects.exists()


def test_a_lifted_area_records_no_fact(device, market, changan_person, city):
    area = _area_in_force(city.zengcun, RiskLevel.HIGH)
    RiskArea.objects.filter(pk=area.pk).update(
        status=RiskArea.Status.LIFTED, lifted_at=timezone.now()
    )
    device.post([item("v-1", market, changan_person)])
    assert not HealthFact.objects.exists()


def test_a_residents_own_check_in_records_the_visit_too(market, changan_person, city):
    _area_in_force(city.zengcun, RiskLevel.HIGH)
    scan = services.record_scan(None, changan_person, market, method=ScanMethod.SELF)
    assert scan.colour == Colour.GREEN
    assert HealthFact.objects.get(person=changan_person).kind == FactKind.HIGH_RISK_VISIT
    assert _colour(changan_person) == Colour.RED
