"""The materials forecast against a round computed by hand: two villages of Gaocheng still
to sample 85 and 41 persons, pooled 10 to a tube (low risk), over the round's two days
left; three quarantine rooms occupied in the district."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from epicommand.core.models import Region
from epicommand.quarantine.models import Room, Site
from epicommand.supplies import forecast
from epicommand.testing.models import RoundProgress
from epicommand.testing.services.rounds import create_round

from .world import stock

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def round_in_gaocheng(depot, city):
    other = Region.objects.create(
        code="130109104202", name="大果庄村", level=Region.Level.VILLAGE, parent=city.zengcun
    )
    round_ = create_round(
        depot.gaocheng_office,
        name="第三轮全员核酸检测",
        region_codes=[city.zengcun.code],
        starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(days=2, hours=1),
    )
    RoundProgress.objects.filter(round=round_, region=city.xgz).update(target=95, sampled=10)
    RoundProgress.objects.filter(round=round_, region=other).update(target=41, sampled=0)
    site = Site.objects.create(
        name="藁城区隔离酒店",
        kind=Site.Kind.HOTEL,
        region=city.zengcun,
        address="增村镇 1 号",
        latitude=38.0,
        longitude=114.8,
        unit=city.office,
    )
    for n, status in enumerate(["occupied", "occupied", "occupied", "free"]):
        Room.objects.create(
            site=site, region=city.zengcun, floor=1, number=str(100 + n), status=status
        )
    return round_


def by_code(result):
    return {i.item.code: i for i in result.items}


def test_the_forecast_matches_the_hand_computed_round(depot, city, round_in_gaocheng):
    stock(
        depot.gaocheng_office,
        depot.gaocheng,
        [
            ("swab", "S-1", 630, 100),
            ("sampling_tube", "T-1", 14, 100),
            ("n95_mask", "N-1", 60, 100),
        ],
    )
    result = forecast.forecast(depot.gaocheng_office, depot.gaocheng, now=NOW)
    (need,) = result.rounds
    assert (need.persons, need.tubes, need.days_left) == (126, 9 + 5, 2)
    assert result.rooms_occupied == 3
    items = by_code(result)
    # 126 swabs over 2 days; 14 tubes (9 + 5, not 13 from 126 / 10) over 2 days.
    assert items["swab"].daily_need == Decimal("63.0")
    assert items["swab"].days_of_supply == Decimal("10.0")
    assert items["sampling_tube"].daily_need == Decimal("7.0")
    assert items["sampling_tube"].days_of_supply == Decimal("2.0")
    assert items["sampling_tube"].warning  # under the policy's 3 days
    assert items["reagent"].daily_need == Decimal("7.0")
    assert items["reagent"].days_of_supply == Decimal("0.0") and items["reagent"].warning
    # 3 rooms x 2 N95 a room-day = 6 a day; 60 on hand = 10 days.
    assert items["n95_mask"].daily_need == Decimal("6.0")
    assert items["n95_mask"].days_of_supply == Decimal("10.0") and not items["n95_mask"].warning
    assert items["goggles"].daily_need == Decimal("0.6")
    assert items["disinfectant"].days_of_supply == Decimal("0.0")


def test_another_districts_round_and_rooms_do_not_count(depot, city, round_in_gaocheng):
    result = forecast.forecast(depot.changan_office, depot.changan, now=NOW)
    assert result.rounds == [] and result.rooms_occupied == 0
    assert all(i.daily_need == 0 and i.days_of_supply is None for i in result.items)


def test_persons_sampled_lower_the_need(depot, city, round_in_gaocheng):
    RoundProgress.objects.filter(round=round_in_gaocheng, region=city.xgz).update(sampled=95)
    (need,) = forecast.forecast(depot.gaocheng_office, depot.gaocheng, now=NOW).rounds
    assert (need.persons, need.tubes) == (41, 5)
