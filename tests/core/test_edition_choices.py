"""The city office chooses the protocol edition in force from a moment on (issue 14 item 7):
before that moment the old edition applies, from it the new one; every choice is audited,
and a choice in the past, of an unknown edition or without a reason is refused."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core import policy
from epicommand.core.models import AuditEvent, EditionChoice, Role
from epicommand.core.services import choose_edition


@pytest.fixture
def county_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


def test_without_a_choice_the_setting_is_the_edition_in_force(db, settings):
    settings.PROTOCOL_EDITION = "8"
    assert policy.active().code == "8"
    settings.PROTOCOL_EDITION = "9"
    assert policy.active().code == "9"


def test_a_switch_on_a_future_date_takes_force_on_that_date(city_office, settings):
    settings.PROTOCOL_EDITION = "8"
    switch = timezone.now() + timedelta(days=3)
    choice = choose_edition(city_office, "9", switch, "9th edition published")
    assert policy.active().code == "8"  # scheduled, not yet in force
    assert policy.active(at=switch - timedelta(seconds=1)).code == "8"
    assert policy.active(at=switch).code == "9"
    assert policy.active(at=switch + timedelta(days=30)).code == "9"
    event = AuditEvent.objects.get(action="policy.edition")
    assert event.object_id == str(choice.pk)
    assert event.actor == city_office
    assert event.reason == "9th edition published"
    assert event.region_id == city_office.scope_region_id


def test_the_latest_switch_in_force_at_a_moment_wins(city_office, settings):
    settings.PROTOCOL_EDITION = "8"
    now = timezone.now()
    choose_edition(city_office, "9", now + timedelta(days=1), "9th edition")
    choose_edition(city_office, "8", now + timedelta(days=5), "back to the 8th for the winter")
    assert policy.active(at=now + timedelta(days=2)).code == "9"
    assert policy.active(at=now + timedelta(days=6)).code == "8"


def test_a_naive_time_is_beijing_time(city_office, settings):
    settings.PROTOCOL_EDITION = "8"
    day = timezone.localdate() + timedelta(days=2)
    choice = choose_edition(city_office, "9", datetime(day.year, day.month, day.day), "x")
    assert timezone.localtime(choice.in_force_from).hour == 0
    assert timezone.localtime(choice.in_force_from).date() == day


@pytest.mark.parametrize(
    "edition, in_force_from, reason, field",
    [
        ("10", timedelta(days=1), "new edition", "edition"),
        ("9", timedelta(days=1), "  ", "reason"),
        ("9", timedelta(days=-1), "backdated", "in_force_from"),
        ("9", None, "no date", "in_force_from"),
    ],
)
def test_refusals_name_the_field(city_office, settings, edition, in_force_from, reason, field):
    settings.PROTOCOL_EDITION = "8"
    at = None if in_force_from is None else timezone.now() + in_force_from
    with pytest.raises(ValidationError) as refused:
        choose_edition(city_office, edition, at, reason)
    assert field in refused.value.message_dict
    assert not EditionChoice.objects.exists()
    assert policy.active(at=timezone.now() + timedelta(days=2)).code == "8"


def test_choosing_the_edition_already_in_force_then_is_refused(city_office, settings):
    settings.PROTOCOL_EDITION = "8"
    with pytest.raises(ValidationError) as refused:
        choose_edition(city_office, "8", timezone.now() + timedelta(days=1), "no change")
    assert "edition" in refused.value.message_dict


def test_a_county_office_may_not_choose_the_edition(county_office, settings):
    settings.PROTOCOL_EDITION = "8"
    with pytest.raises(PermissionDenied):
        choose_edition(county_office, "9", timezone.now() + timedelta(days=1), "ours")
    assert not EditionChoice.objects.exists()
    assert not AuditEvent.objects.filter(action="policy.edition").exists()


def test_a_choice_made_in_another_process_is_seen_before_it_takes_force(city_office, settings):
    """Another process's cache holds the choices for at most CHOICES_TTL seconds, and a
    choice takes force no sooner than CHOICES_TTL after it is made: every process reads it
    before its moment comes."""
    settings.PROTOCOL_EDITION = "8"
    assert policy.CHOICES_TTL < policy.SHORTEST_NOTICE.total_seconds()
    with pytest.raises(ValidationError) as refused:
        choose_edition(city_office, "9", timezone.now() + timedelta(seconds=5), "at once")
    assert "in_force_from" in refused.value.message_dict
