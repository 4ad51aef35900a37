"""Tourist sites: the cap by area risk, bookings that never overbook, entries and exits
counted exactly, and a risk change that closes a site cancelling its future bookings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.control.models import HealthCode
from epicommand.core.models import RegionBoundary
from epicommand.gatherings.models import Booking, Passage, Slot
from epicommand.gatherings.queries import SiteConditions, occupancy_board
from epicommand.gatherings.services import bookings, sites

from .world import area_in_force, make_people, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(approvers, city):
    return sites.create_site(
        approvers.tourism,
        name="封龙山",
        region_code=city.xgz.code,
        latitude=38.05,
        longitude=114.85,
        max_capacity=4,
    )


@pytest.fixture
def slot(approvers, park):
    (first,) = sites.add_slots(approvers.tourism, park, first_start=soon(1), minutes=60, count=1)
    return first


def test_the_cap_is_the_capacity_times_the_policys_percentage_for_the_area(park, city):
    assert SiteConditions().of(park).cap == 3  # 4 x 75 %
    area_in_force(city.gaocheng, "medium")
    assert SiteConditions().of(park).cap == 2  # 4 x 50 %
    area_in_force(city.zengcun, "high")
    condition = SiteConditions().of(park)
    assert condition.closed and condition.cap == 0


def test_a_site_within_500_m_of_a_high_risk_area_is_closed(park, city):
    # The Chang'an street's outline ends about 300 m east of the park.
    edge = 114.85 + 300 / 87_700
    square = [[edge, 38.0], [edge + 0.05, 38.0], [edge + 0.05, 38.1], [edge, 38.1], [edge, 38.0]]
    RegionBoundary.objects.create(
        region=city.street, geometry={"type": "Polygon", "coordinates": [square]}
    )
    area_in_force(city.street, "high")
    assert "500 m" in SiteConditions().of(park).closed_reason
    RegionBoundary.objects.filter(region=city.street).update(
        geometry={"type": "Polygon", "coordinates": [[[x + 0.01, y] for x, y in square]]}
    )
    assert not SiteConditions().of(park).closed


def test_a_slot_is_booked_up_to_the_cap_and_then_refused_as_full(slot, city):
    people = make_people(city.xgz, 4)
    for person in people[:3]:
        bookings.book(person, slot)
    with pytest.raises(ValidationError) as refused:
        bookings.book(people[3], slot)
    assert refused.value.message_dict == {"slot": ["this slot is full"]}
    slot.refresh_from_db()
    assert slot.booked == 3 == Booking.objects.filter(slot=slot).count()


def test_the_same_person_books_a_slot_once_and_the_place_is_given_back(slot, city):
    (person,) = make_people(city.xgz, 1)
    bookings.book(person, slot)
    with pytest.raises(ValidationError) as refused:
        bookings.book(person, slot)
    assert "already booked" in refused.value.message_dict["slot"][0]
    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_booking_for_a_closed_site_or_a_past_slot_is_refused(slot, city, park):
    (person,) = make_people(city.xgz, 1)
    area_in_force(city.xgz, "high")
    with pytest.raises(ValidationError) as refused:
        bookings.book(person, slot)
    assert "site" in refused.value.message_dict
    past = Slot.objects.create(site=park, starts_at=soon(-1), ends_at=soon(-1, 1))
    with pytest.raises(ValidationError) as refused:
        bookings.book(person, past)
    assert "slot" in refused.value.message_dict


def test_a_risk_change_that_closes_the_site_cancels_future_bookings_with_a_notice(slot, city, park):
    people = make_people(city.xgz, 2)
    for person in people:
        bookings.book(person, slot)
    area_in_force(city.gaocheng, "high")
    assert sites.review_sites() == {"closed": 1, "reopened": 0, "cancelled": 2}
    park.refresh_from_db()
    slot.refresh_from_db()
    assert park.closed_at is not None and slot.booked == 0
    notices = set(Booking.objects.values_list("state", "notice"))
    assert len(notices) == 1
    state, notice = notices.pop()
    assert state == Booking.State.CANCELLED and "封龙山 is closed" in notice
    assert sites.review_sites()["cancelled"] == 0


def test_entry_checks_booking_code_and_temperature_and_counts_exactly(approvers, slot, city, park):
    green, red, walk_in = make_people(city.xgz, 3)
    bookings.book(green, slot)
    bookings.book(red, slot)
    HealthCode.objects.create(
        person=red,
        colour="red",
        region_id=red.region_id,
        changed_at=slot.starts_at,
        computed_at=slot.starts_at,
    )
    at = slot.starts_at + timedelta(minutes=5)
    fever, _p = bookings.enter(
        approvers.gate, park, document=green.id_number, temperature=Decimal("37.8"), now=at
    )
    assert not fever.admitted and "fever" in fever.reasons
    ok, _p = bookings.enter(
        approvers.gate, park, document=green.id_number, temperature=Decimal("36.5"), now=at
    )
    assert ok.admitted
    again, _p = bookings.enter(
        approvers.gate, park, document=green.id_number, temperature=Decimal("36.5"), now=at
    )
    assert not again.admitted
    denied, _p = bookings.enter(
        approvers.gate, park, document=red.id_number, temperature=Decimal("36.5"), now=at
    )
    assert not denied.admitted and "red" in denied.reasons
    nobody, _p = bookings.enter(
        approvers.gate, park, document=walk_in.id_number, temperature=None, now=at
    )
    assert not nobody.admitted and "no booking" in nobody.reasons
    park.refresh_from_db()
    assert park.inside == 1
    bookings.leave(approvers.gate, park, document=green.id_number, now=at + timedelta(minutes=30))
    with pytest.raises(ValidationError):
        bookings.leave(
            approvers.gate, park, document=green.id_number, now=at + timedelta(minutes=31)
        )
    park.refresh_from_db()
    assert park.inside == 0
    assert Passage.objects.filter(site=park, admitted=True).count() == 2  # one in, one out


def test_the_gate_of_another_county_may_not_record(approvers, park, make_user, city):
    from epicommand.core.models import Role

    other = make_user("changan_gate", Role.CHECKPOINT_OFFICER, city.changan)
    with pytest.raises(PermissionDenied):
        bookings.enter(other, park, document="130109198005171238", temperature=None)


def test_the_occupancy_board_shows_each_sites_cap_and_load(approvers, park, slot, city):
    for person in make_people(city.xgz, 2):
        bookings.book(person, slot)
    (row,) = occupancy_board(approvers.tourism, now=slot.starts_at)
    assert (row.condition.cap, row.site.inside, row.booked_today) == (3, 0, 2)
