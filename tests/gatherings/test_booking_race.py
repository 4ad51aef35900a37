"""2,000 phones book the same 500 places at once: exactly 500 bookings, on PostgreSQL (the
database whose concurrent writers the conditional UPDATE is for; SQLite has one writer)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from epicommand.core.models import Region, Unit
from epicommand.gatherings.models import Booking, Slot, TouristSite
from epicommand.gatherings.queries import SiteConditions
from epicommand.gatherings.services import bookings

from .world import make_people

ATTEMPTS, PLACES, THREADS = 2000, 500, 16


@pytest.mark.scale
@pytest.mark.django_db(transaction=True)
def test_2000_concurrent_attempts_for_500_places_end_with_exactly_500():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: the race is PostgreSQL's (SQLite serialises writers)")
    L = Region.Level
    city = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    county = Region.objects.create(code="130109", name="藁城区", level=L.COUNTY, parent=city)
    Unit.objects.create(name="办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city)
    # 667 x 75 % = 500 places.
    site = TouristSite.objects.create(
        name="赵州桥", region=county, latitude=37.7, longitude=114.8, max_capacity=667
    )
    start = timezone.now() + timedelta(days=1)
    slot = Slot.objects.create(site=site, starts_at=start, ends_at=start + timedelta(hours=2))
    people = make_people(county, ATTEMPTS)
    conditions = SiteConditions()
    assert conditions.of(site).cap == PLACES

    def attempt(person) -> bool:
        try:
            bookings.book(
                person, Slot.objects.select_related("site").get(pk=slot.pk), conditions=conditions
            )
            return True
        except ValidationError:
            return False
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        done = list(pool.map(attempt, people))
    slot.refresh_from_db()
    assert sum(done) == PLACES
    assert slot.booked == PLACES
    assert Booking.objects.filter(slot=slot).count() == PLACES
