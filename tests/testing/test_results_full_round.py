"""The answer to the risk rule's "negative full round on day 7": None when no round since
then covered the village, True when one is complete (target reached) and all negative,
False while incomplete or when a positive was found."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.testing import progress
from epicommand.testing.full_round import negative_full_round
from epicommand.testing.models import Round

pytestmark = pytest.mark.django_db


def a_round(city, region, starts_at):
    found = Round.objects.create(
        name="第二轮",
        region=city.sjz,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=2),
        status=Round.Status.OPEN,
    )
    found.regions.add(region)
    return found


def test_the_full_round_answer_follows_the_villages_figures(city):
    day_seven = timezone.now() - timedelta(days=1)
    assert negative_full_round(city.xgz.code, day_seven) is None
    a_round(city, city.gaocheng, day_seven - timedelta(days=3))  # before day 7: not counted
    assert negative_full_round(city.xgz.code, day_seven) is None
    current = a_round(city, city.gaocheng, day_seven + timedelta(hours=2))
    progress.add(current.pk, {city.xgz.code: {"target": 100, "sampled": 90, "released": 90}})
    assert negative_full_round(city.xgz.code, day_seven) is False  # target not reached
    progress.add(current.pk, {city.xgz.code: {"sampled": 10, "positive_pools": 10}})
    assert negative_full_round(city.xgz.code, day_seven) is False  # pool awaiting re-tests
    progress.add(current.pk, {city.xgz.code: {"released": 10}})
    assert negative_full_round(city.xgz.code, day_seven) is True
    progress.add(current.pk, {city.xgz.code: {"positives": 1}})
    assert negative_full_round(city.xgz.code, day_seven) is False
    assert negative_full_round(city.community.code, day_seven) is None  # not covered
