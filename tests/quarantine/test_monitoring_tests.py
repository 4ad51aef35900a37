"""The tests a stay's plan requires: the site's list of tests due on the right days under
both editions, samples and results, "double sample, double test" with two reagents, the
alert and hospital transfer of a positive, the re-sample of an invalid."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.models import AuditEvent, Notification
from epicommand.quarantine.models import Alert, Stay, StayTest
from epicommand.quarantine.queries import monitoring as queries
from epicommand.quarantine.services import monitoring

from .monitoring_world import make_person, monitoring_world  # noqa: F401

P = StayTest.Phase
R = StayTest.Result


@pytest.fixture
def world(city, make_user, city_office):
    return monitoring_world(city, make_user, city_office)


def due(site, day) -> list[tuple[int, str, bool]]:
    rows, _ = queries.tests_due(site, day)
    return [(t.day, t.phase, t.overdue) for t in rows]


def test_under_the_8th_edition_day_4_brings_the_day_4_test_and_day_1_if_not_sampled(
    world, gaocheng_person
):
    stay = world.stay(gaocheng_person, days_ago=3)  # today is day 4
    today = timezone.localdate()
    assert due(world.site, today) == [(1, P.SITE, True), (4, P.SITE, False)]

    day_one = StayTest.objects.get(stay=stay, day=1)
    monitoring.record_sample(world.manager, day_one, reagent="")
    assert due(world.site, today) == [(4, P.SITE, False)]


def test_under_the_8th_edition_day_14_has_the_site_test_and_the_release_double_test(
    world, gaocheng_person
):
    stay = world.stay(gaocheng_person)
    day_14 = timezone.localdate(stay.started_at) + timedelta(days=13)
    rows = [(d, p) for d, p, overdue in due(world.site, day_14) if not overdue]
    assert sorted(rows) == [(14, P.RELEASE), (14, P.SITE)]


def test_under_the_9th_edition_the_tests_come_on_days_1_2_3_5_and_7(
    world, gaocheng_person, settings
):
    settings.PROTOCOL_EDITION = "9"
    stay = world.stay(gaocheng_person)
    start = timezone.localdate(stay.started_at)
    on_time = {
        day: [
            d for d, _p, overdue in due(world.site, start + timedelta(days=day - 1)) if not overdue
        ]
        for day in range(1, 9)
    }
    assert on_time == {1: [1], 2: [2], 3: [3], 4: [], 5: [5], 6: [], 7: [7], 8: []}
    assert not StayTest.objects.filter(stay=stay, phase=P.RELEASE).exists()
    # Home monitoring after the 7 site days: a test on its day 3 (day 10 of the stay).
    home = StayTest.objects.get(stay=stay, phase=P.HOME)
    assert home.day == 10


def test_the_list_leaves_out_other_sites_and_ended_stays(world, gaocheng_person, city):
    stay = world.stay(gaocheng_person)
    other = world.stay(make_person(city, "王芳"))
    Stay.objects.filter(pk=other.pk).update(status=Stay.Status.TO_HOSPITAL)
    assert [t.stay_id for t in queries.tests_due(world.site, timezone.localdate())[0]] == [stay.pk]


def test_the_list_pages_by_key(world, city):
    for name in ("王芳", "刘洋", "陈静"):
        world.stay(make_person(city, name))
    today = timezone.localdate()
    first, cursor = queries.tests_due(world.site, today, limit=2)
    second, last = queries.tests_due(world.site, today, after=cursor, limit=2)
    assert len(first) == 2 and len(second) == 1 and last is None
    assert {t.pk for t in first}.isdisjoint({t.pk for t in second})


# Samples and results -----------------------------------------------------------------------


@pytest.fixture
def stay(world, gaocheng_person):
    return world.stay(gaocheng_person, number="101")


def test_a_sample_then_a_negative_result_are_recorded_and_audited(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    monitoring.record_sample(world.manager, test, reagent="A 试剂")
    test = monitoring.record_test_result(test, "negative", actor=world.manager)
    test.refresh_from_db()
    assert (test.result, test.reagent) == (R.NEGATIVE, "A 试剂")
    assert test.sampled_at and test.resulted_at
    events = AuditEvent.objects.filter(object_type="quarantine.staytest", object_id=str(test.pk))
    actions = list(events.values_list("action", flat=True))
    assert sorted(actions) == ["stay_test.result", "stay_test.sample"]
    assert not Alert.objects.exists()


def test_a_second_sample_of_the_same_test_is_refused(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    monitoring.record_sample(world.manager, test)
    with pytest.raises(ValidationError) as refused:
        monitoring.record_sample(world.manager, test)
    assert "result" in refused.value.message_dict


def test_a_result_delivered_twice_changes_nothing_and_a_different_one_is_refused(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    monitoring.record_test_result(test, "negative")
    monitoring.record_test_result(test, "negative")
    assert AuditEvent.objects.filter(action="stay_test.result").count() == 1
    with pytest.raises(ValidationError) as refused:
        monitoring.record_test_result(test, "positive")
    assert "result" in refused.value.message_dict


def test_an_unknown_result_is_refused(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    with pytest.raises(ValidationError) as refused:
        monitoring.record_test_result(test, "maybe")
    assert "result" in refused.value.message_dict


def test_another_district_may_not_record_a_sample(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    with pytest.raises(PermissionDenied):
        monitoring.record_sample(world.changan_staff, test)


def test_the_release_test_needs_a_reagent_other_than_the_same_days_site_test(world, stay):
    site_test = StayTest.objects.get(stay=stay, day=14, phase=P.SITE)
    release = StayTest.objects.get(stay=stay, day=14, phase=P.RELEASE)
    monitoring.record_test_result(site_test, "negative", reagent="达安基因")

    with pytest.raises(ValidationError) as refused:
        monitoring.record_test_result(release, "negative", reagent="达安基因")
    assert list(refused.value.message_dict) == ["reagent"]
    assert "达安基因" in refused.value.message_dict["reagent"][0]
    with pytest.raises(ValidationError) as refused:
        monitoring.record_test_result(release, "negative")
    assert list(refused.value.message_dict) == ["reagent"]
    with pytest.raises(ValidationError):
        monitoring.record_sample(world.manager, release, reagent="达安基因")

    monitoring.record_test_result(release, "negative", reagent="圣湘生物")
    release.refresh_from_db()
    assert (release.result, release.reagent) == (R.NEGATIVE, "圣湘生物")


def test_the_site_test_may_not_take_the_reagent_the_release_test_already_used(world, stay):
    site_test = StayTest.objects.get(stay=stay, day=14, phase=P.SITE)
    release = StayTest.objects.get(stay=stay, day=14, phase=P.RELEASE)
    monitoring.record_sample(world.manager, release, reagent="圣湘生物")
    with pytest.raises(ValidationError) as refused:
        monitoring.record_test_result(site_test, "negative", reagent="圣湘生物")
    assert list(refused.value.message_dict) == ["reagent"]


def test_a_positive_result_alerts_both_units_and_sends_the_stay_to_hospital(world, city, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    test = monitoring.record_test_result(test, "positive", actor=world.manager)

    alert = Alert.objects.get()
    assert (alert.kind, alert.test_id, alert.stay_id) == (Alert.Kind.POSITIVE, test.pk, stay.pk)
    assert set(Notification.objects.values_list("unit_id", flat=True)) == {
        world.site_unit.pk,
        city.gaocheng_cdc.pk,
    }
    assert test.transfer.done
    stay.refresh_from_db()
    assert stay.status == Stay.Status.TO_HOSPITAL


def test_a_positive_from_the_testing_module_alerts_and_leaves_the_transfer_to_the_site(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    test = monitoring.record_test_result(test, "positive")
    assert Alert.objects.get().kind == Alert.Kind.POSITIVE
    assert not test.transfer.done
    assert "designated hospital" in test.transfer.note
    stay.refresh_from_db()
    assert stay.status == Stay.Status.IN_SITE
    event = AuditEvent.objects.get(action="stay_test.result")
    assert event.actor_name == "system"


def test_an_invalid_result_asks_for_a_new_sample_the_next_day(world, stay):
    test = StayTest.objects.get(stay=stay, day=1)
    test = monitoring.record_test_result(test, "invalid", actor=world.manager)
    again = test.resample
    assert (again.phase, again.result, again.day) == (P.SITE, R.PENDING, 2)
    assert again.due_on == timezone.localdate() + timedelta(days=1)
    tomorrow = due(world.site, timezone.localdate() + timedelta(days=1))
    assert (2, P.SITE, False) in tomorrow
