"""Necessities: an enterprise's daily report, the alerts the policy's rules raise from it
(day on day, against the baseline, margin, days of stock), each alert once a day and
raised as a task for the district's market supervision; figures that are negative or
absurd for the commodity refused naming the line and field, nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.command.models import Task
from epicommand.command.services.tasks import raise_task_from_state
from epicommand.core import counters
from epicommand.core.models import Role
from epicommand.supplies import alerts, queries
from epicommand.supplies.models import PriceAlert, PriceReport
from epicommand.supplies.services import enterprises, prices

from .world import line

TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def pork_baseline(markets, city):
    enterprises.set_baseline(
        markets.regulator,
        region_code=city.gaocheng.code,
        commodity="pork",
        retail_price="25.00",
        margin_percent="20",
    )


def rules_raised(day=TODAY):
    return sorted(PriceAlert.objects.filter(day=day).values_list("rule", flat=True))


def test_a_quiet_day_raises_nothing(markets, pork_baseline):
    prices.report_day(
        markets.gaocheng_user, day=YESTERDAY, lines=[line(retail="26", purchase="22")]
    )
    assert rules_raised(YESTERDAY) == []


def test_a_rise_over_the_day_before_and_a_margin_over_the_baseline_raise_alerts(
    markets, pork_baseline
):
    prices.report_day(
        markets.gaocheng_user, day=YESTERDAY, lines=[line(retail="26", purchase="22")]
    )
    _reports, raised = prices.report_day(
        markets.gaocheng_user, day=TODAY, lines=[line(retail="30", purchase="24")]
    )
    assert sorted(a.rule for a in raised) == ["day_on_day", "margin"]
    day_on_day = PriceAlert.objects.get(rule="day_on_day")
    assert day_on_day.value == Decimal("15.38") and day_on_day.limit == Decimal("10")
    margin = PriceAlert.objects.get(rule="margin")
    assert margin.value == Decimal("25.00") and margin.enterprise == markets.gaocheng


def test_a_rise_just_at_the_threshold_raises_nothing(markets, pork_baseline):
    prices.report_day(
        markets.gaocheng_user, day=YESTERDAY, lines=[line(retail="20", purchase="18")]
    )
    prices.report_day(markets.gaocheng_user, day=TODAY, lines=[line(retail="22", purchase="19")])
    assert rules_raised() == []  # exactly 10 %: the rule says "over"


def test_a_price_over_the_baseline_raises_an_alert(markets, pork_baseline):
    prices.report_day(markets.gaocheng_user, lines=[line(retail="33", purchase="30")])
    assert rules_raised() == ["baseline"]
    assert PriceAlert.objects.get().value == Decimal("32.00")


def test_stock_under_the_policys_days_raises_an_alert(markets, city):
    counters.bump("persons", city.gaocheng.code, 100_000, day=YESTERDAY)
    # 100,000 persons x 0.08 kg pork = 8 t a day; 40 t is 5 days, under 7.
    prices.report_day(markets.gaocheng_user, lines=[line(stock="40")])
    (alert,) = PriceAlert.objects.all()
    assert (alert.rule, alert.value, alert.limit) == ("low_stock", Decimal("5.00"), Decimal("7"))
    (row,) = queries.board(
        markets.regulator, TODAY, region_code=city.gaocheng.code, commodity="pork"
    )
    assert row.days_of_supply == Decimal("5.0") and row.stock_tonnes == Decimal("40")


def test_an_alert_is_raised_once_a_day(markets, pork_baseline):
    for _ in range(2):
        prices.report_day(markets.gaocheng_user, lines=[line(retail="33", purchase="30")])
    assert PriceAlert.objects.count() == 1
    assert PriceReport.objects.count() == 1  # the second report replaced the first


def test_the_district_average_counts_every_enterprise(markets, city, make_user, pork_baseline):
    other = enterprises.register_enterprise(
        markets.regulator,
        name="藁城区农贸市场",
        credit_code="91130109MA0000003A",
        kind="market",
        region_code=city.gaocheng.code,
        address="藁城区廉州路",
    )
    user = make_user("market_clerk", Role.SUPPLY_ENTERPRISE, city.gaocheng)
    enterprises.bind_account(markets.regulator, other, user)
    prices.report_day(markets.gaocheng_user, lines=[line(retail="30", purchase="26", stock="10")])
    prices.report_day(user, lines=[line(retail="34", purchase="30", stock="5")])
    (row,) = queries.board(
        markets.regulator, TODAY, region_code=city.gaocheng.code, commodity="pork"
    )
    assert row.price == Decimal("32.00") and row.stock_tonnes == Decimal("15") and row.reports == 2
    # The rule reads the district's average: 32 is 28 % over 25, under the 30 %; the
    # market's 34 alone would be 36 %.
    assert rules_raised() == []


def test_an_alert_becomes_a_task_for_the_districts_market_supervision(
    markets, pork_baseline, make_user, city, units
):
    prices.report_day(markets.gaocheng_user, lines=[line(retail="33", purchase="30")])
    office = make_user("gc_office", Role.COUNTY_OFFICE, city.gaocheng, units[city.gaocheng.code])
    (proposed,) = alerts.price_alerts(office, timezone.now())
    assert proposed.assignee == units[f"{city.gaocheng.code}-market"]
    task = raise_task_from_state(office, proposed)
    assert Task.objects.get(pk=task.pk).assignee.kind == "market_regulation"
    assert "猪肉" in task.title or "Pork" in task.title
    # Chang'an's office is not proposed Gaocheng's alert.
    changan = make_user("ca_office", Role.COUNTY_OFFICE, city.changan, units[city.changan.code])
    assert alerts.price_alerts(changan, timezone.now()) == []


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"retail_price": "-3"}, "lines[0].retail_price"),
        ({"retail_price": "3000"}, "lines[0].retail_price"),  # pork at 3,000 yuan/kg
        ({"purchase_price": "0"}, "lines[0].purchase_price"),
        ({"purchase_price": "NaN"}, "lines[0].purchase_price"),
        ({"stock_tonnes": "-1"}, "lines[0].stock_tonnes"),
        ({"stock_tonnes": "9999999"}, "lines[0].stock_tonnes"),
        ({"commodity": "caviar"}, "lines[0].commodity"),
    ],
)
def test_negative_or_absurd_figures_are_refused_naming_the_field(markets, bad, field):
    with pytest.raises(ValidationError) as refused:
        prices.report_day(
            markets.gaocheng_user, lines=[line("rice", "3", "2.5", "10"), {**line(), **bad}]
        )
    assert field.replace("[0]", "[1]") in refused.value.message_dict
    assert not PriceReport.objects.exists()  # the good line was not written either


def test_a_day_in_the_future_or_a_commodity_twice_is_refused(markets):
    with pytest.raises(ValidationError) as refused:
        prices.report_day(
            markets.gaocheng_user, day=TODAY + timedelta(days=1), lines=[line(), line()]
        )
    assert {"day", "lines[1].commodity"} <= set(refused.value.message_dict)


def test_only_an_enterprises_account_reports_and_only_for_itself(markets, city, make_user):
    with pytest.raises(PermissionDenied):
        prices.report_day(markets.regulator, lines=[line()])
    unbound = make_user("unbound", Role.SUPPLY_ENTERPRISE, city.gaocheng)
    with pytest.raises(PermissionDenied):
        prices.report_day(unbound, lines=[line()])
    prices.report_day(markets.changan_user, lines=[line()])
    assert PriceReport.objects.get().region_id == city.changan.code


def test_a_county_board_shows_its_own_districts_only(markets, city, make_user, units):
    prices.report_day(markets.gaocheng_user, lines=[line()])
    prices.report_day(markets.changan_user, lines=[line()])
    office = make_user("ca_office", Role.COUNTY_OFFICE, city.changan, units[city.changan.code])
    rows = queries.board(office, TODAY, commodity="pork")
    assert [r.region.code for r in rows] == [city.changan.code]
    assert queries.board(office, TODAY, region_code=city.gaocheng.code) == []
