"""testing.progress: the round figures per village and the hourly counts are added to
(never overwritten) by concurrent writers, rows created on first use."""

from datetime import UTC, datetime

import pytest

from epicommand.testing import progress
from epicommand.testing.models import RoundHour, RoundProgress

from .rounds_world import (  # noqa: F401  fixtures
    new_round,
    residents,
    villages_fixture,
)

pytestmark = pytest.mark.django_db


def figures(round_, code):
    return RoundProgress.objects.filter(round=round_, region_id=code).values(*progress.FIGURES)[0]


def test_add_adds_to_the_target_row_and_creates_missing_ones(city_office, villages):
    residents(villages.xgz, 3)
    found = new_round(city_office, ["130109104"])
    progress.add(found.pk, {"130109104201": {"sampled": 2}, "130102001001": {"sampled": 1}})
    progress.add(found.pk, {"130109104201": {"sampled": 1, "tested": 3, "released": 3}})
    assert figures(found, "130109104201") == {
        "target": 3,
        "sampled": 3,
        "tested": 3,
        "released": 3,
        "positive_pools": 0,
        "positives": 0,
    }
    # A person sampled in the round who lives outside it still counts, beyond any target.
    assert figures(found, "130102001001")["sampled"] == 1


def test_a_figure_moves_down_as_well(city_office, villages):
    found = new_round(city_office, ["130109104"])
    progress.add(found.pk, {"130109104201": {"positive_pools": 10, "tested": 10}})
    progress.add(found.pk, {"130109104201": {"positive_pools": -9, "released": 9}})
    row = figures(found, "130109104201")
    assert (row["positive_pools"], row["released"], row["tested"]) == (1, 9, 10)


def test_add_refuses_a_figure_it_does_not_keep(city_office, villages):
    found = new_round(city_office, ["130109104"])
    with pytest.raises(ValueError, match="not a round figure"):
        progress.add(found.pk, {"130109104201": {"swabs": 1}})


def test_many_villages_go_in_chunks(city_office, villages):
    found = new_round(city_office, ["130109104"])
    deltas = {"130109104201": {"sampled": 1}, "130109104202": {"sampled": 2}}
    for _ in range(3):
        progress.add(found.pk, deltas)
    assert figures(found, "130109104202")["sampled"] == 6


def test_hours_add_per_county_and_hour(city_office, villages):
    found = new_round(city_office, ["130109"])
    at = datetime(2021, 1, 12, 7, 42, 5, tzinfo=UTC)
    hour = progress.hour_of(at)
    assert hour == datetime(2021, 1, 12, 7, 0, tzinfo=UTC)
    progress.add_hours(found.pk, {("130109", hour): 40})
    progress.add_hours(found.pk, {("130109", hour): 2, ("130102", hour): 5})
    rows = dict(RoundHour.objects.filter(round=found).values_list("region_id", "sampled"))
    assert rows == {"130109": 42, "130102": 5}
    assert RoundHour.objects.get(round=found, region_id="130109").hour == hour
