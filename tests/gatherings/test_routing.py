"""Who approves what: tiers by headcount, refusals by area risk and by the wartime state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.policy_gatherings import GatheringRules
from epicommand.gatherings.models import Kind
from epicommand.gatherings.services.routing import route

RULES = GatheringRules()


@pytest.mark.parametrize(
    ("headcount", "approver"),
    [(10, "village"), (150, "village"), (151, "township"), (300, "township"), (301, "county")],
)
def test_meetings_go_to_the_tier_of_their_headcount(headcount, approver):
    assert route(
        Kind.MEETING, headcount=headcount, level="low", wartime=False, rules=RULES
    ).approvers == (approver,)


@pytest.mark.parametrize("level", ["medium", "high"])
def test_a_meeting_in_a_medium_or_high_risk_area_is_refused(level):
    refused = route(Kind.MEETING, headcount=20, level=level, wartime=False, rules=RULES)
    assert refused.approvers == ()
    assert "area" in refused.refusal


def test_going_abroad_passes_the_unit_foreign_affairs_and_public_security():
    stages = route(Kind.ABROAD, headcount=1, level="high", wartime=True, rules=RULES).approvers
    assert stages == ("unit", "foreign_affairs", "public_security")


def test_in_wartime_large_events_are_refused_with_the_reason_and_small_ones_pass():
    large = route(Kind.MEETING, headcount=51, level="low", wartime=True, rules=RULES)
    assert large.refusal.startswith("wartime state: events of over 50 people")
    small = route(Kind.MEETING, headcount=50, level="low", wartime=True, rules=RULES)
    assert small.approvers == ("village",)


def test_in_wartime_weddings_are_asked_to_postpone():
    assert (
        "postpone"
        in route(Kind.WEDDING, headcount=10, level="low", wartime=True, rules=RULES).refusal
    )
    assert route(Kind.WEDDING, headcount=10, level="low", wartime=False, rules=RULES).approvers == (
        "village",
    )


def test_in_wartime_funerals_are_held_to_the_headcount_and_duration_caps():
    start = timezone.now()
    kwargs = {"level": "low", "wartime": True, "rules": RULES, "starts_at": start}
    crowded = route(Kind.FUNERAL, headcount=21, ends_at=start + timedelta(hours=3), **kwargs)
    assert "20 people" in crowded.refusal
    long = route(Kind.FUNERAL, headcount=20, ends_at=start + timedelta(hours=25), **kwargs)
    assert "24 hours" in long.refusal
    held = route(Kind.FUNERAL, headcount=20, ends_at=start + timedelta(hours=24), **kwargs)
    assert held.approvers == ("village",)


def test_a_wedding_registered_with_the_employer_is_approved_by_the_unit():
    assert route(
        Kind.WEDDING, headcount=30, level="low", wartime=False, rules=RULES, by_unit=True
    ).approvers == ("unit",)
