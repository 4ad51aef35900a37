"""The necessities and materials demo on a small demo city, after the testing demo: a
month of prices with the last day's pork spike raising its alerts, and the city warehouse
stocked from the rounds' forecast with sampling tubes short."""

from io import StringIO

import pytest
from django.core.management import call_command

from epicommand.simulation.accounts import ensure_demo_accounts
from epicommand.supplies.models import (
    Allocation,
    Lot,
    MaterialRequest,
    PriceAlert,
    PriceReport,
    SupplyEnterprise,
)

pytestmark = [pytest.mark.django_db, pytest.mark.scale]


@pytest.fixture
def demo(seeded_city):
    ensure_demo_accounts()
    call_command("seed_testing", stdout=StringIO())
    out = StringIO()
    call_command("seed_supplies", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_month_of_prices_a_spike_and_a_stocked_warehouse(demo):
    """One seeding checked from every side, then seeded again with --if-empty."""
    assert "Done:" in demo
    districts = SupplyEnterprise.objects.values("region").distinct().count()
    assert districts == 22
    assert PriceReport.objects.values("day").distinct().count() == 30
    rules = set(PriceAlert.objects.filter(commodity="pork").values_list("rule", flat=True))
    assert {"day_on_day", "baseline", "margin"} <= rules
    assert not PriceAlert.objects.exclude(commodity="pork").exists()  # the spike only
    assert MaterialRequest.objects.filter(status="delivered").count() == 1
    for lot in Lot.objects.all():
        taken = sum(a.quantity for a in Allocation.objects.filter(lot=lot))
        assert lot.received == lot.on_hand + taken
    assert "Sampling tube" in demo  # the stock-out warning
    out = StringIO()
    call_command("seed_supplies", if_empty=True, stdout=out)
    assert "nothing to do" in out.getvalue()
