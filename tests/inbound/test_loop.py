"""The closed loop from the port to the community, and every alarm it raises when a
handover is not acknowledged in time (time made to pass by the round's `now`)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.command.alerts import current_alerts
from epicommand.control.models import HealthCode
from epicommand.core.models import Notification
from epicommand.inbound.models import Handover, LoopAlarm, Stage
from epicommand.inbound.services import alarms, loop
from epicommand.quarantine.models import Stay, StayTest
from epicommand.quarantine.services.monitoring import record_test_result

from .world import (  # noqa: F401  fixtures
    camp_fixture,
    community_worker_fixture,
    flight_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    passenger,
    port_staff_fixture,
    port_unit_fixture,
    site_manager_fixture,
    transfer_staff_fixture,
    transfer_unit_fixture,
    zengcun_office_fixture,
)

pytestmark = pytest.mark.django_db


def _traveller(port_staff, flight, city, *, hours_ago=0.5, days_ago=0):
    person = make_person(city.xgz)
    at = timezone.now() - timedelta(days=days_ago, hours=hours_ago)
    return passenger(port_staff, flight, city.xgz, seat="12C", document=person.id_number, at=at)


def _to_site(port_staff, arrival, transfer_unit, camp, at=None):
    loop.record_port_test(port_staff, arrival, at=at)
    return loop.hand_to_transfer(
        port_staff, arrival, transfer_unit=transfer_unit, site=camp, vehicle="冀A·D1234", at=at
    )


def test_an_overseas_arrival_is_red_and_in_the_loop(port_staff, flight, city):
    arrival = _traveller(port_staff, flight, city)
    assert arrival.stage == Stage.LANDED
    assert HealthCode.objects.get(person=arrival.person).colour == "red"


def test_the_site_acknowledges_and_the_plan_is_the_inbound_14_plus_7(
    port_staff, transfer_staff, site_manager, flight, city, camp, transfer_unit
):
    arrival = _traveller(port_staff, flight, city)
    transfer, site = _to_site(port_staff, arrival, transfer_unit, camp)
    loop.acknowledge(transfer_staff, transfer)
    loop.acknowledge(site_manager, site)
    arrival.refresh_from_db()
    assert arrival.stage == Stage.AT_SITE
    stay = arrival.stay
    assert stay.reason == Stay.Reason.INBOUND and stay.status == Stay.Status.IN_SITE
    days = {(t.phase, t.day) for t in StayTest.objects.filter(stay=stay)}
    site_days = {d for p, d in days if p == "site"}
    home_days = {d - 14 for p, d in days if p == "home"}
    assert site_days == {1, 2, 3, 4, 7, 14}
    assert home_days == {2, 7}
    assert (stay.planned_home_end - stay.planned_site_end).days == 7


def test_only_the_receiving_unit_acknowledges(port_staff, flight, city, camp, transfer_unit):
    arrival = _traveller(port_staff, flight, city)
    _transfer, site = _to_site(port_staff, arrival, transfer_unit, camp)
    with pytest.raises(ValidationError, match="addressed to"):
        loop.acknowledge(port_staff, site)


def test_landed_but_not_arrived_raises_an_alarm_to_the_expecting_site(
    port_staff, site_manager, flight, city, camp, transfer_unit, gaocheng_office
):
    arrival = _traveller(port_staff, flight, city)
    _transfer, site = _to_site(port_staff, arrival, transfer_unit, camp)
    assert alarms.check_loop() == []  # not yet late
    later = timezone.now() + timedelta(hours=7)
    raised = alarms.check_loop(now=later)
    kinds = {a.kind for a in raised}
    assert LoopAlarm.Kind.NOT_ARRIVED in kinds
    not_arrived = next(a for a in raised if a.kind == LoopAlarm.Kind.NOT_ARRIVED)
    assert not_arrived.unit == camp.unit
    assert Notification.objects.filter(unit=camp.unit, message__contains="not arrived").exists()
    assert alarms.check_loop(now=later) == []  # raised once
    # The county's command office is proposed a task for it.
    alerts = [a for a in current_alerts(gaocheng_office) if a.key.startswith("inbound-loop-")]
    assert len(alerts) == 1 and "closed loop" in alerts[0].title
    loop.acknowledge(site_manager, site)
    assert not LoopAlarm.objects.filter(
        kind=LoopAlarm.Kind.NOT_ARRIVED, resolved_at__isnull=True
    ).exists()


def test_a_traveller_never_handed_over_alarms_the_port(port_staff, port_unit, flight, city):
    _traveller(port_staff, flight, city, hours_ago=7)
    (alarm,) = alarms.check_loop()
    assert alarm.kind == LoopAlarm.Kind.NOT_ARRIVED and alarm.unit == port_unit


def test_a_transfer_not_acknowledged_in_time_is_a_late_handover(
    port_staff, flight, city, camp, transfer_unit
):
    arrival = _traveller(port_staff, flight, city)
    _to_site(port_staff, arrival, transfer_unit, camp)
    raised = alarms.check_loop(now=timezone.now() + timedelta(hours=3))
    assert [(a.kind, a.unit) for a in raised] == [(LoopAlarm.Kind.LATE_HANDOVER, transfer_unit)]


def _serve_site_tests(stay):
    for test in StayTest.objects.filter(stay=stay, phase__in=("site", "release")):
        reagent = "B" if test.phase == "release" else "A"
        at = max(timezone.now() - timedelta(hours=1), stay.started_at)
        record_test_result(test, "negative", reagent=reagent, at=at)


def test_released_but_not_received_by_the_community_raises_an_alarm(
    port_staff,
    transfer_staff,
    site_manager,
    community_worker,
    zengcun_office,
    flight,
    city,
    camp,
    transfer_unit,
):
    arrival = _traveller(port_staff, flight, city, days_ago=15)
    start = arrival.arrived_at + timedelta(hours=1)
    transfer, site = _to_site(port_staff, arrival, transfer_unit, camp, at=start)
    loop.acknowledge(transfer_staff, transfer, at=start + timedelta(minutes=30))
    loop.acknowledge(site_manager, site, at=start + timedelta(hours=2))
    arrival.refresh_from_db()
    _serve_site_tests(arrival.stay)
    handover = loop.release_to_community(site_manager, arrival, community_unit=zengcun_office)
    assert handover.step == Handover.Step.COMMUNITY
    raised = alarms.check_loop(now=timezone.now() + timedelta(hours=3))
    assert [(a.kind, a.unit) for a in raised] == [(LoopAlarm.Kind.NOT_RECEIVED, zengcun_office)]
    loop.acknowledge(community_worker, handover)
    arrival.refresh_from_db()
    assert arrival.stage == Stage.HOME_MONITORING
    assert not LoopAlarm.objects.filter(resolved_at__isnull=True).exists()
    assert HealthCode.objects.get(person=arrival.person).colour in ("red", "yellow")


def test_a_step_out_of_order_is_refused(port_staff, flight, city, camp, transfer_unit):
    arrival = _traveller(port_staff, flight, city)
    with pytest.raises(ValidationError, match="stage"):
        loop.hand_to_transfer(
            port_staff, arrival, transfer_unit=transfer_unit, site=camp, vehicle="冀A·1"
        )
