"""Testing's figures on the command dashboard: registered in the "testing" panel, and
`recount` rebuilds their counters from the samples, tubes and recalls."""

import pytest
from django.utils import timezone

from epicommand.core import counters
from epicommand.core.dashboard import FIGURES, awaited_panels
from epicommand.core.recount import recount
from epicommand.testing import dashboard  # noqa: F401  registers the figures

from .rounds_world import (  # noqa: F401  fixtures
    new_round,
    residents,
    result,
    sample,
    villages_fixture,
)

pytestmark = pytest.mark.django_db


def test_the_testing_panel_has_its_four_figures():
    mine = {k: f for k, f in FIGURES.items() if f.panel == "testing"}
    assert set(mine) == {"samples_taken", "tubes_in_transit", "recalls_open", "positive_samples"}
    assert "testing" not in {p.key for p in awaited_panels()}
    assert (
        mine["samples_taken"]
        .url("130109", timezone.localdate())
        .startswith("/testing/rounds/?region=130109")
    )


def test_recount_rebuilds_the_testing_counters_from_the_tables(city_office, villages):
    people = residents(villages.xgz, 20) + residents(villages.jianbei, 1)
    found = new_round(city_office, ["130100"])
    pools = sample(found, people[:20])
    result(pools[0].tube, "negative")
    single = sample(found, people[20:], pool=1)
    result(single[0].tube, "positive")
    recount()
    today = timezone.localdate()
    flows = counters.daily_values(
        ["130100", "130109", "130102"], ["samples_taken", "positive_samples"], today, today
    )
    assert flows[("130100", "samples_taken", today)] == 21
    assert flows[("130109", "samples_taken", today)] == 20
    assert flows[("130102", "positive_samples", today)] == 1
    stocks = counters.latest_values(["130109", "130102"], ["tubes_in_transit"], today)
    assert stocks[("130109", "tubes_in_transit")] == 1  # the second pool, not yet resulted
    assert stocks[("130102", "tubes_in_transit")] == 0
