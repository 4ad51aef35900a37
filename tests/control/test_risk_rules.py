"""The suggested risk level from case facts, by the active edition's rule: the 2021 county
rule's boundaries (exactly 50 cumulative, a cluster or not, nothing new in 14 days) and the
9th edition's compound rule (high, medium after 7 quiet days, low after 3 more)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from epicommand.control.models import RiskArea
from epicommand.control.services import risk
from epicommand.core.models import AuditEvent
from epicommand.testing.full_round import negative_full_round

from .risk_setup import cases, village

DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def villages(city):
    """Three more villages in Zengcun town, so that cases can be spread or clustered."""
    return [
        village(city.zengcun, f"130109104{n}", name)
        for n, name in (("202", "东村"), ("203", "西村"), ("204", "南村"))
    ]


def by_region(suggestions):
    return {s.region_code: s for s in suggestions}


# The 2021 county rule ----------------------------------------------------------------------


@pytest.fixture
def county_rule(settings):
    settings.PROTOCOL_EDITION = "8"


def test_no_case_suggests_nothing(county_rule, city, now):
    assert risk.suggest(now) == []


def test_new_cases_under_the_ceiling_suggest_a_medium_county_and_nothing_more_for_its_town(
    county_rule, city, villages, now
):
    cases(city.xgz, now - 2 * DAY, count=3)
    found = by_region(risk.suggest(now))
    gaocheng = found["130109"]
    assert (gaocheng.level, gaocheng.in_force) == ("medium", "low")
    assert gaocheng.region_name == "藁城区"
    assert "3 new cases in the last 14 days" in gaocheng.reasons
    assert "3 cumulative, over 50: no" in gaocheng.reasons
    # The town is no worse than its county: the county's designation covers it.
    assert "130109104" not in found
    assert by_region(risk.evaluate(now))["130109104"].level == "medium"


def test_exactly_fifty_cumulative_with_a_cluster_is_still_medium(county_rule, city, villages, now):
    cases(city.xgz, now - 30 * DAY, count=48)
    cases(villages[0], now - 2 * DAY, count=2)  # a cluster: 2 cases in one village
    gaocheng = by_region(risk.suggest(now))["130109"]
    assert gaocheng.level == "medium"
    assert "50 cumulative, over 50: no" in gaocheng.reasons
    assert "cluster (2 or more cases in one village) within 14 days: yes, 东村 (2)" in (
        gaocheng.reasons
    )


def test_fifty_one_cumulative_with_a_cluster_is_high(county_rule, city, villages, now):
    cases(city.xgz, now - 30 * DAY, count=49)
    cases(villages[0], now - 2 * DAY, count=2)
    found = by_region(risk.suggest(now))
    assert found["130109"].level == "high"
    assert "51 cumulative, over 50: yes" in found["130109"].reasons


def test_fifty_one_cumulative_without_a_cluster_is_medium(county_rule, city, villages, now):
    cases(city.xgz, now - 30 * DAY, count=49)
    cases(villages[0], now - 2 * DAY)
    cases(villages[1], now - 3 * DAY)  # one case in each of two villages: no cluster
    gaocheng = by_region(risk.suggest(now))["130109"]
    assert gaocheng.level == "medium"
    assert "within 14 days: no" in gaocheng.reasons


def test_a_cluster_older_than_the_window_does_not_count(county_rule, city, villages, now):
    cases(city.xgz, now - 20 * DAY, count=60)  # a cluster, but 20 days ago
    cases(villages[0], now - 2 * DAY)
    assert by_region(risk.suggest(now))["130109"].level == "medium"


def test_nothing_new_in_14_days_is_low_and_proposes_lifting_a_medium_in_force(
    county_rule, city, city_office, now
):
    cases(city.xgz, now - 15 * DAY, count=5)
    area = risk.designate(
        city_office, level="medium", regions=["130109"], reason="前期病例", confirm=True, now=now
    )
    found = by_region(risk.suggest(now))
    assert (found["130109"].level, found["130109"].in_force) == ("low", "medium")
    assert found["130109"].replaces == area.pk
    assert "0 new cases in the last 14 days" in found["130109"].reasons


def test_what_is_already_in_force_is_not_proposed_again(county_rule, city, city_office, now):
    cases(city.xgz, now - 2 * DAY, count=3)
    risk.designate(
        city_office, level="medium", regions=["130109"], reason="病例", confirm=True, now=now
    )
    assert risk.suggest(now) == []


def test_a_town_above_its_county_is_proposed_on_its_own(
    county_rule, city, villages, city_office, now
):
    """A county designated high by the rule covers its towns; a town is proposed on its own
    only where it is worse than what covers it."""
    cases(city.xgz, now - 30 * DAY, count=49)
    cases(villages[0], now - 2 * DAY, count=2)
    risk.designate(
        city_office, level="medium", regions=["130109"], reason="区中风险", confirm=True, now=now
    )
    found = by_region(risk.suggest(now))
    assert found["130109"].level == "high"
    assert "130109104" not in found  # the county's own proposal covers the town


def test_proposing_stores_only_changes_once(county_rule, city, city_office, now):
    cases(city.xgz, now - 2 * DAY, count=3)
    first = risk.propose_suggestions(city_office, now=now)
    again = risk.propose_suggestions(city_office, now=now)
    assert [a.pk for a in first] == [a.pk for a in again]
    (area,) = first
    assert (area.status, area.level, area.rule, area.region_id) == (
        "proposed",
        "medium",
        "county_2021",
        "130109",
    )
    assert list(area.regions.values_list("code", flat=True)) == ["130109"]
    assert "3 new cases" in area.reasons


def test_a_new_suggestion_supersedes_an_older_proposal_of_another_level(
    county_rule, city, villages, city_office, now
):
    cases(city.xgz, now - 20 * DAY, count=49)
    cases(villages[0], now - 2 * DAY)
    (medium,) = risk.propose_suggestions(city_office, now=now)
    cases(villages[0], now - DAY)  # a second case there: a cluster, 51 cumulative
    (high,) = risk.propose_suggestions(city_office, now=now)
    medium.refresh_from_db()
    assert (medium.level, medium.status) == ("medium", "dismissed")
    assert (high.level, high.status) == ("high", "proposed")


# The 9th edition's compound rule -------------------------------------------------------------


@pytest.fixture
def compound_rule(settings):
    settings.PROTOCOL_EDITION = "9"


def level_at(code, when):
    found = by_region(risk.evaluate(when))
    return found[code].level if code in found else None


def test_a_case_makes_its_home_village_high_then_medium_after_7_quiet_days_then_low_after_3_more(
    compound_rule, city, now
):
    onset = now - 10 * DAY
    cases(city.xgz, onset)
    code = city.xgz.code
    assert level_at(code, onset + DAY) == "high"
    assert level_at(code, onset + 7 * DAY - timedelta(minutes=1)) == "high"
    assert level_at(code, onset + 7 * DAY) == "medium"
    assert level_at(code, onset + 10 * DAY - timedelta(minutes=1)) == "medium"
    # Low once the 10 days are past; with nothing in force, low is no change to propose.
    assert level_at(code, onset + 10 * DAY + timedelta(minutes=1)) is None


def test_the_compound_rule_proposes_the_village_not_its_town_or_county(compound_rule, city, now):
    cases(city.xgz, now - DAY, count=2)
    (only,) = risk.suggest(now)
    assert (only.region_code, only.level, only.rule) == ("130109104201", "high", "compound_9th")
    assert only.region_name == "藁城区 增村镇 小果庄村"
    assert "Home of a case" in only.reasons


def test_a_new_case_restarts_the_quiet_days(compound_rule, city, now):
    cases(city.xgz, now - 9 * DAY)
    cases(city.xgz, now - 2 * DAY)
    assert level_at(city.xgz.code, now) == "high"


def test_a_high_area_in_force_steps_down_to_medium_then_low_by_proposals(
    compound_rule, city, city_office, now
):
    onset = now - 12 * DAY
    cases(city.xgz, onset)
    (high,) = risk.propose_suggestions(city_office, now=onset + DAY)
    risk.confirm(city_office, high, now=onset + DAY)
    assert risk.suggest(onset + 2 * DAY) == []
    (medium,) = risk.suggest(onset + 7 * DAY)
    assert (medium.level, medium.in_force, medium.replaces) == ("medium", "high", high.pk)
    # No testing round covered the village: the testing module cannot say.
    assert "negative full round on day 7 not known" in medium.reasons
    area = risk.propose(city_office, medium, now=onset + 7 * DAY)
    risk.confirm(city_office, area, now=onset + 7 * DAY)
    assert risk.suggest(onset + 9 * DAY) == []
    (low,) = risk.suggest(onset + 10 * DAY)
    assert (low.level, low.in_force) == ("low", "medium")


def test_without_a_negative_full_round_a_high_area_stays_high(compound_rule, city, now):
    cases(city.xgz, now - 8 * DAY)
    try:
        risk.set_full_round_check(lambda code, since: False)
        assert level_at(city.xgz.code, now) == "high"
        risk.set_full_round_check(lambda code, since: True)
        assert level_at(city.xgz.code, now) == "medium"
    finally:
        risk.set_full_round_check(negative_full_round)  # as TestingConfig.ready() set it


def test_a_medium_area_without_a_case_turns_low_after_7_quiet_days(
    compound_rule, city, city_office, now
):
    area = risk.designate(
        city_office,
        level="medium",
        regions=[city.xgz.code],
        reason="病例活动场所",
        confirm=True,
        now=now - 8 * DAY,
    )
    assert area.status == RiskArea.Status.IN_FORCE
    assert level_at(city.xgz.code, now - 2 * DAY) == "medium"
    (low,) = risk.suggest(now)
    assert (low.level, low.in_force) == ("low", "medium")


def test_the_scheduled_command_stores_the_rules_proposals_as_the_platform(county_rule, city, now):
    cases(city.xgz, now - 2 * DAY, count=3)
    out = StringIO()
    call_command("propose_risk_areas", stdout=out)
    assert "1 proposals await confirmation." in out.getvalue()
    area = RiskArea.objects.get()
    assert (area.status, area.region_id) == ("proposed", "130109")
    event = AuditEvent.objects.get(action="risk_area.propose")
    assert (event.actor_name, event.object_id) == ("system", str(area.pk))
