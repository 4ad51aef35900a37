"""A positive passenger: tracing gets the case and the co-passengers within the policy's
rows and the crew as close contacts at once; their stays get the policy's extra days."""

import pytest
from django.utils import timezone

from epicommand.inbound.services import loop, positives
from epicommand.tracing.models import Case, Contact

from .world import (  # noqa: F401  fixtures
    camp_fixture,
    flight_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    passenger,
    port_staff_fixture,
    port_unit_fixture,
    site_manager_fixture,
    transfer_unit_fixture,
)

pytestmark = pytest.mark.django_db


def _board(port_staff, flight, city, seat, crew=False):
    person = make_person(city.xgz)
    return passenger(port_staff, flight, city.xgz, seat=seat, document=person.id_number, crew=crew)


def test_rows_around_the_seat_and_the_crew_become_contacts_and_stays_are_extended(
    port_staff, site_manager, flight, city, camp, transfer_unit, django_capture_on_commit_callbacks
):
    case_arrival = _board(port_staff, flight, city, "20C")
    near = [_board(port_staff, flight, city, seat) for seat in ("17A", "20D", "23F")]
    far = [_board(port_staff, flight, city, seat) for seat in ("16A", "24B")]
    crew = _board(port_staff, flight, city, "", crew=True)
    # One of the near ones is already in the camp: their stay gets 7 more days.
    loop.record_port_test(port_staff, near[0])
    _t, site = loop.hand_to_transfer(
        port_staff, near[0], transfer_unit=transfer_unit, site=camp, vehicle="冀A·1"
    )
    loop.acknowledge(site_manager, site)
    near[0].refresh_from_db()
    before = near[0].stay.planned_site_end
    with django_capture_on_commit_callbacks(execute=True):
        positives.record_positive(port_staff, case_arrival, at=timezone.now())
    case = Case.objects.get(person=case_arrival.person)
    named = set(
        Contact.objects.filter(case=case, degree="close").values_list("person_id", flat=True)
    )
    assert named == {a.person_id for a in [*near, crew]}
    assert not named & {a.person_id for a in far}
    near[0].stay.refresh_from_db()
    assert (near[0].stay.planned_site_end - before).days == 7


def test_a_seat_row_is_read_from_its_number():
    assert positives.row_of("12C") == 12
    assert positives.row_of("") is None
