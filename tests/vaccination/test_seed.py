"""The demo's vaccination: sites, rosters, doses with an overdue tail, and a tally, stock
and series that agree with the doses (what the pages read is what was given)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from epicommand.simulation.vaccination_demo import seed_vaccination
from epicommand.vaccination.models import Coverage, Dose, RosterEntry, Series, Site, Slot, StockLot

pytestmark = [pytest.mark.django_db, pytest.mark.scale]


def test_the_demo_vaccination_agrees_with_itself(city):
    result = seed_vaccination("7", doses=3000, sites=3)
    assert result.doses == Dose.objects.count() >= 3000
    assert Site.objects.count() == 3 and Slot.objects.exists()
    assert result.overdue > 0
    today = timezone.localdate()
    overdue = Series.objects.filter(complete=False, next_by__lt=today).count()
    assert overdue == result.overdue
    tally = Coverage.objects.aggregate(r=Sum("rostered"), b=Sum("begun"), c=Sum("complete"))
    assert tally["r"] == RosterEntry.objects.count()
    assert tally["b"] == Series.objects.count()
    assert tally["c"] == Series.objects.filter(complete=True).count()
    used = StockLot.objects.aggregate(u=Sum("used"))["u"]
    assert used == Dose.objects.count()
    per_person = Dose.objects.values("person").annotate(n=Count("pk")).order_by("-n").first()
    assert per_person["n"] <= 2


def test_the_command_does_nothing_the_second_time(city):
    out = StringIO()
    call_command("seed_vaccination", "--doses", "500", "--sites", "2", stdout=out)
    assert "500" in out.getvalue() or "doses" in out.getvalue()
    again = StringIO()
    call_command("seed_vaccination", "--if-empty", stdout=again)
    assert "nothing to do" in again.getvalue()
