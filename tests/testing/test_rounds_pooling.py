"""Pool sizes by area risk from the edition (1:1 high risk and quarantine, 5:1 medium,
10:1 low), the Dorfman-optimal size, and the round's pooling advice: pooling stops when
the observed positivity reaches the edition's ceiling, and the page and API warn."""

import pytest

from epicommand.control.models import RiskLevel
from epicommand.testing import pooling
from epicommand.testing.models import Tube
from epicommand.testing.services import pooled_tubes, rounds
from tests.conftest import login
from tests.testing.sampling_world import designate

from .rounds_world import (  # noqa: F401  fixtures
    new_round,
    residents,
    result,
    sample,
    villages_fixture,
)

pytestmark = pytest.mark.django_db


def test_pool_sizes_follow_the_area_risk(city, villages):
    assert pooling.pool_size_for(villages.xgz.code) == 10
    designate(city.zengcun, RiskLevel.MEDIUM)
    assert pooling.pool_size_for(villages.xgz.code) == 5
    designate(villages.xgz, RiskLevel.HIGH)
    assert pooling.pool_size_for(villages.xgz.code) == 1
    assert pooling.pool_size_for(villages.dongli.code) == 5  # the town is medium
    assert pooling.pool_size_for(villages.jianbei.code) == 10
    assert pooling.pool_size_for(villages.jianbei.code, in_quarantine=True) == 1


def test_a_table_fills_each_tube_to_its_smallest_members_size_then_takes_a_new_one():
    """The rule a sampling batch is checked by (pooled_tubes.TubePlan.take), filling tubes
    in the order the swabs are taken, as the demo rounds are sampled."""
    sizes = {n: 10 for n in range(23)} | {23: 1, 24: 1} | {25: 5, 26: 10, 27: 10}
    tubes = pooled_tubes.fill_tubes(list(range(28)), sizes)
    assert [(t.items, t.capacity, t.full) for t in tubes] == [
        (list(range(10)), 10, True),
        (list(range(10, 20)), 10, True),
        ([20, 21, 22], 10, False),  # a 1:1 swab does not go in with three others
        ([23], 1, True),
        ([24], 1, True),
        ([25, 26, 27], 5, False),  # the medium-risk member sizes the tube at 5
    ]


def test_dorfman_pools_shrink_as_positivity_rises():
    assert pooling.dorfman_pool_size(0) is None  # no positive yet: bigger is always cheaper
    # At 0.1 % the optimum is 32 (0.063 tests a person), not a silent 20 (0.070).
    assert pooling.dorfman_pool_size(0.001) == 32
    assert pooling.tests_per_person(0.001, 32) == pytest.approx(0.0627, abs=1e-4)
    assert pooling.dorfman_pool_size(0.0001) == 101
    assert pooling.dorfman_pool_size(0.01) == 11
    assert pooling.dorfman_pool_size(0.05) == 5
    assert pooling.dorfman_pool_size(0.5) == 1  # pooling costs more than single tests
    assert pooling.tests_per_person(0.01, 1) == 1.0
    assert pooling.tests_per_person(0.01, 11) == pytest.approx(0.1956, abs=1e-4)


def test_the_round_lists_each_area_with_its_pool_size(city_office, city, villages):
    found = new_round(city_office, ["130109", "130102"])
    designate(villages.xgz, RiskLevel.HIGH)
    designate(city.changan, RiskLevel.MEDIUM)
    sizes = {(s.region.code, s.level, s.size) for s in rounds.pooling_advice(found).sizes}
    assert sizes == {
        ("130109", "low", 10),
        ("130102", "medium", 5),
        ("130109104201", "high", 1),
    }
    assert rounds.pooling_advice(found).quarantine_size == 1


def positive_single_results(found, persons, positives):
    """`positives` of the persons positive on single tubes, the rest negative in pools."""
    singles = sample(found, persons[:positives], pool=1)
    for s in singles:
        result(s.tube, "positive")
    pooled = sample(found, persons[positives:], pool=10)
    for tube in Tube.objects.filter(pk__in={s.tube_id for s in pooled}):
        result(tube, "negative")


def test_pooling_holds_under_the_ceiling(city_office, villages):
    persons = residents(villages.xgz, 1000) + residents(villages.dongli, 1000)
    found = new_round(city_office, ["130109"])
    positive_single_results(found, persons, 1)  # 0.05 %
    advice = rounds.pooling_advice(found)
    assert (advice.tested, advice.positives) == (2000, 1)
    assert advice.positivity == pytest.approx(0.0005)
    assert advice.pooling_allowed
    assert advice.dorfman_size == pooling.dorfman_pool_size(0.0005) == 45
    # The policy's cap is shown beside the optimum, each with its cost.
    assert advice.policy_largest_pool == 10
    assert advice.policy_largest_pool_tests_per_person == pytest.approx(0.1 + 1 - 0.9995**10)


def test_positivity_at_the_ceiling_stops_pooling_and_warns(city_office, villages):
    persons = residents(villages.xgz, 1000)
    found = new_round(city_office, ["130109"])
    positive_single_results(found, persons, 10)  # 1 %
    advice = rounds.pooling_advice(found)
    assert advice.positivity == pytest.approx(0.01)
    assert not advice.pooling_allowed
    assert advice.dorfman_size == pooling.dorfman_pool_size(0.01) == 11
    # Dongli alone has no result yet: its advice sees no positivity.
    assert rounds.pooling_advice(found, region_code=villages.dongli.code).pooling_allowed

    client = login(city_office)
    page = client.get(f"/testing/rounds/{found.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "stop pooling and sample 1:1" in page.content.decode()
    api = client.get(f"/api/v1/testing/rounds/{found.pk}/pooling").json()
    assert api["pooling_allowed"] is False and "stop pooling" in api["warning"]
    assert api["positivity"] == pytest.approx(0.01) and api["dorfman_pool_size"] == 11
    assert api["policy_largest_pool"] == 10
    assert "The policy's largest pool is 10" in page.content.decode()
