"""The demo's routine prevention: units over the city's places and villages, a month of
inspections, failures with photos, most rectified, the overdue ones escalated by the
command; the counters equal their recount."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from epicommand.core import recount
from epicommand.prevention.models import Inspection, InspectionPhoto, PreventionUnit, Rectification

from .world import venue

pytestmark = pytest.mark.django_db


def test_seeding_makes_units_with_a_month_of_inspections_and_rectifications(city, city_office):
    for n in range(6):
        venue(f"市场{n}", "market", city.xgz)
    out = StringIO()
    call_command("seed_prevention", "--units", "60", "--seed", "3", stdout=out)
    assert "Done" in out.getvalue()

    units = PreventionUnit.objects.all()
    assert units.count() == 60
    assert units.filter(venue__isnull=False).count() == 6
    assert not units.filter(last_inspected_at__isnull=True).exists()
    assert Inspection.objects.count() >= 60 * 2  # community units: every 14 days in a month
    failed = Inspection.objects.filter(failed__gt=0)
    assert failed.exists()
    no_photo = failed.annotate(n=Count("photos")).filter(n__lt=1)
    assert not no_photo.exists()
    assert InspectionPhoto.objects.count() == sum(failed.values_list("failed", flat=True))
    closed = Rectification.objects.filter(status="closed")
    assert closed.exists()
    for r in closed:
        assert r.closed_by.inspected_at > r.opened_at and r.closed_by.failed == 0
    still = Rectification.objects.filter(status="open")
    assert set(still.values_list("unit_id", flat=True)) == set(
        units.filter(open_rectifications=1).values_list("pk", flat=True)
    )
    assert not still.filter(Q(deadline__lt=timezone.now()) & Q(escalated_at__isnull=True))

    again = StringIO()
    call_command("seed_prevention", "--if-empty", stdout=again)
    assert "nothing to do" in again.getvalue()
    differences = [
        d for d in recount.differences() if "prevent" in d.metric or "rectif" in d.metric
    ]
    assert differences == []
