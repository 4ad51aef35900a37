"""The demo's gatherings: every kind of application across the counties, some refused by the
wartime state, 30 tourist sites with a weekend of bookings and entries, counted exactly."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from epicommand.gatherings.models import Application, Booking, Passage, Slot, TouristSite

from ..built_once import built_once


@built_once
def gatherings_city():
    call_command("seed_city", people=2_000, seed="7", stdout=StringIO())


@pytest.mark.scale
def test_seed_gatherings_makes_a_month_and_a_weekend(gatherings_city):
    out = StringIO()
    call_command("seed_gatherings", seed="7", stdout=out)
    assert "Done" in out.getvalue()
    kinds = set(Application.objects.values_list("kind", flat=True))
    assert kinds == {"meeting", "wedding", "funeral", "abroad"}
    assert Application.objects.filter(wartime=True, status="refused").exists()
    assert Application.objects.filter(status="approved").exists()
    assert TouristSite.objects.count() == 30
    live = Booking.objects.exclude(state=Booking.State.CANCELLED).count()
    assert Slot.objects.aggregate(n=Sum("booked"))["n"] == live > 0
    entered = Passage.objects.filter(direction="in", admitted=True).count()
    left = Passage.objects.filter(direction="out").count()
    assert entered > 0
    assert TouristSite.objects.aggregate(n=Sum("inside"))["n"] == entered - left
    again = StringIO()
    call_command("seed_gatherings", if_empty=True, stdout=again)
    assert "nothing to do" in again.getvalue()
