"""A case's look-back counts under the edition in force when the case was reported: a
switch of edition the city office makes later does not move the window of a case already
reported, and a case reported after the switch looks back as the new edition says."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from epicommand.core.services import choose_edition
from epicommand.tracing.services import cases, trajectory
from tests.followups import committed

from .cases_world import NOW, ONSET, local

pytestmark = pytest.mark.django_db


def register(actor, person, now):
    with committed():
        return cases.register_case(
            actor,
            person,
            classification="mild",
            detection_route="mass_testing",
            onset_date=timezone.localdate(now) - timedelta(days=1),
            now=now,
        )


def test_a_case_reported_before_a_switch_keeps_the_old_look_back(
    settings, city_office, gaocheng_epi, changan_epi, gaocheng_person, changan_person
):
    settings.PROTOCOL_EDITION = "8"  # look back 2 days before onset; the 9th: 4
    switch = timezone.now() + timedelta(days=1)
    choose_edition(city_office, "9", switch, "the 9th edition is published")

    before = register(gaocheng_epi, gaocheng_person, NOW)
    assert before.onset_date == ONSET
    assert trajectory.window(before, now=NOW)[0] == local(18, 0)  # 20th - 2 days

    after_switch = switch + timedelta(hours=2)
    after = register(changan_epi, changan_person, after_switch)
    first_day = after.onset_date - timedelta(days=4)
    start = timezone.make_aware(datetime.combine(first_day, time()))
    assert trajectory.window(after, now=after_switch)[0] == start
    # The earlier case's window did not move when the new edition took force.
    assert trajectory.window(before, now=after_switch)[0] == local(18, 0)
