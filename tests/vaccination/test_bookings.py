"""Booking a slot: a resident or an employer; a full slot, a second open booking, a past
slot or an ineligible person are refused naming the field; and no slot is overbooked when
bookings race (threads on PostgreSQL)."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from epicommand.vaccination.models import Booking, RosterEntry, Slot
from epicommand.vaccination.services import bookings

from .conftest import make_person, slot_at


@pytest.mark.django_db
def test_a_resident_books_and_the_slot_counts_them(world, city):
    person = make_person(city.xgz, 1)
    slot = slot_at(world.site, capacity=2)
    booking = bookings.book_for_resident(person, slot, group="going_abroad")
    assert booking.group == "going_abroad" and booking.region_id == world.site.region_id
    assert Slot.objects.get(pk=slot.pk).booked == 1


@pytest.mark.django_db
def test_a_full_slot_is_refused(world, city):
    slot = slot_at(world.site, capacity=1)
    bookings.book_for_resident(make_person(city.xgz, 1), slot)
    with pytest.raises(ValidationError) as refused:
        bookings.book_for_resident(make_person(city.xgz, 2), slot)
    assert "slot" in refused.value.message_dict
    assert Slot.objects.get(pk=slot.pk).booked == 1 and Booking.objects.count() == 1


@pytest.mark.django_db
def test_a_second_open_booking_is_refused_and_frees_its_place(world, city):
    person = make_person(city.xgz, 1)
    bookings.book_for_resident(person, slot_at(world.site, 1))
    second = slot_at(world.site, 2)
    with pytest.raises(ValidationError) as refused:
        bookings.book_for_resident(person, second)
    assert "person" in refused.value.message_dict
    assert Slot.objects.get(pk=second.pk).booked == 0


@pytest.mark.django_db
def test_a_past_slot_and_an_old_person_are_refused(world, city):
    with pytest.raises(ValidationError) as refused:
        bookings.book_for_resident(make_person(city.xgz, 1), slot_at(world.site, -3))
    assert "slot" in refused.value.message_dict
    old = make_person(city.xgz, 2, born=date(1950, 1, 1))
    with pytest.raises(ValidationError) as refused:
        bookings.book_for_resident(old, slot_at(world.site, 2))
    assert "person" in refused.value.message_dict


@pytest.mark.django_db
def test_an_employer_books_only_its_own_staff(world, city):
    staff, stranger = make_person(city.xgz, 1), make_person(city.xgz, 2)
    RosterEntry.objects.create(
        unit=world.police, person=staff, group="police_fire_community", region=city.gaocheng
    )
    slot = slot_at(world.site)
    booking = bookings.book_for_staff(world.officer, slot, staff)
    assert booking.unit == world.police and booking.group == "police_fire_community"
    with pytest.raises(ValidationError) as refused:
        bookings.book_for_staff(world.officer, slot, stranger)
    assert "person" in refused.value.message_dict


@pytest.mark.django_db
def test_cancelling_frees_the_place(world, city):
    slot = slot_at(world.site, capacity=1)
    booking = bookings.book_for_resident(make_person(city.xgz, 1), slot)
    bookings.cancel(world.vaccinator, booking)
    assert Slot.objects.get(pk=slot.pk).booked == 0
    bookings.book_for_resident(make_person(city.xgz, 2), slot)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_racing_bookings_never_overfill_a_slot(world, city):
    capacity, racers = 3, 8
    slot = slot_at(world.site, capacity=capacity)
    persons = [make_person(city.xgz, n) for n in range(racers)]
    start = threading.Barrier(racers)
    outcomes = []

    def book(person):
        try:
            start.wait()
            bookings.book_for_resident(person, slot)
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("full")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in persons]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == capacity and outcomes.count("full") == racers - capacity
    assert Slot.objects.get(pk=slot.pk).booked == capacity
    assert Booking.objects.filter(slot=slot).count() == capacity
