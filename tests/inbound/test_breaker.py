"""The flight circuit breaker: the June 2020 and December 2020 rules, suspensions that add
up, the command office's confirmation, and flights refused or diverted on a suspended
route."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core import policy
from epicommand.inbound.breaker import propose
from epicommand.inbound.models import Flight, Suspension
from epicommand.inbound.services import flights

from .world import (  # noqa: F401  fixtures
    flight_fixture,
    gaocheng_office_fixture,
    make_person,
    passenger,
    port_staff_fixture,
    port_unit_fixture,
)

pytestmark = pytest.mark.django_db
DEC, JUNE = policy.BREAKER_RULES["2020-12"], policy.BREAKER_RULES["2020-06"]
DAY = date(2021, 1, 10)


@pytest.mark.parametrize(
    ("rule", "positives", "weeks"),
    [(DEC, 4, 0), (DEC, 5, 2), (DEC, 9, 2), (DEC, 10, 4), (JUNE, 5, 1), (JUNE, 10, 4)],
)
def test_the_rules_of_both_editions(rule, positives, weeks):
    proposal = propose(rule, positives, weeks_already=0, earliest=DAY, suspended_until=None)
    assert (proposal.weeks if proposal else 0) == weeks


def test_ten_positives_after_five_add_the_difference():
    proposal = propose(
        DEC, 10, weeks_already=2, earliest=DAY, suspended_until=DAY + timedelta(weeks=2)
    )
    assert proposal.weeks == 2 and proposal.starts_on == DAY + timedelta(weeks=2)


def test_a_new_trigger_during_a_suspension_adds_up():
    until = DAY + timedelta(weeks=2)
    proposal = propose(DEC, 5, weeks_already=0, earliest=DAY, suspended_until=until)
    assert proposal.starts_on == until and proposal.ends_on == until + timedelta(weeks=2)


def _positives(port_staff, flight, city, n, start=1):
    for i in range(start, start + n):
        person = make_person(city.xgz)
        arrival = passenger(port_staff, flight, city.xgz, seat=f"{i}A", document=person.id_number)
        arrival.positive_at = timezone.now()
        arrival.save(update_fields=["positive_at"])


def test_five_positives_propose_two_weeks_and_the_city_office_confirms(
    port_staff, flight, city, city_office, gaocheng_office
):
    _positives(port_staff, flight, city, 4)
    assert flights.review_breaker(flight) is None
    _positives(port_staff, flight, city, 1, start=5)
    proposal = flights.review_breaker(flight)
    assert (proposal.weeks, proposal.positives, len(proposal.evidence)) == (2, 5, 5)
    assert flights.review_breaker(flight) is None  # proposed once
    with pytest.raises(PermissionDenied):
        flights.confirm_suspension(gaocheng_office, proposal)
    flights.confirm_suspension(city_office, proposal)
    assert flights.is_suspended(flight.route, proposal.starts_on)


def test_the_june_rule_proposes_one_week(port_staff, flight, city):
    _positives(port_staff, flight, city, 5)
    assert flights.review_breaker(flight, rule=JUNE).weeks == 1


def test_ten_positives_add_two_weeks_after_the_first_two(port_staff, flight, city, city_office):
    _positives(port_staff, flight, city, 5)
    first = flights.review_breaker(flight)
    flights.confirm_suspension(city_office, first)
    _positives(port_staff, flight, city, 5, start=6)
    second = flights.review_breaker(flight)
    assert second.weeks == 2 and second.starts_on == first.ends_on
    spans = Suspension.objects.filter(route=flight.route).exclude(status="dismissed")
    assert sum(s.weeks for s in spans) == 4


def test_a_positive_outside_the_counting_days_does_not_count(port_staff, flight, city):
    _positives(port_staff, flight, city, 5)
    late = flight.arrivals.first()
    late.positive_at = timezone.now() + timedelta(days=10)
    late.save(update_fields=["positive_at"])
    assert flights.review_breaker(flight) is None


def test_a_flight_on_a_suspended_day_is_refused_and_a_diversion_is_recorded(
    port_staff, flight, city, city_office
):
    _positives(port_staff, flight, city, 5)
    suspension = flights.confirm_suspension(city_office, flights.review_breaker(flight))
    with pytest.raises(ValidationError, match="suspended"):
        flights.register_flight(
            port_staff,
            number="CA868",
            arrival_date=suspension.starts_on,
            airline="Air China",
            origin="Moscow",
            port="SJW",
        )
    other = flights.register_flight(
        port_staff,
        number="CA910",
        arrival_date=suspension.starts_on,
        airline="Air China",
        origin="Frankfurt",
        port="SJW",
    )
    diverted = flights.record_diversion(
        port_staff, other, to_port="TSN", manifest_handed_to="天津滨海机场海关"
    )
    assert diverted.status == Flight.Status.DIVERTED
    assert diverted.manifest_handed_to == "天津滨海机场海关"
