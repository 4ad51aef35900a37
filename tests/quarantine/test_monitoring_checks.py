"""Twice-daily checks: one person, a whole floor at once, the temperature range, the
missing checks of a session, and the alert a fever or a respiratory symptom raises."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.control.models import FactKind, HealthFact
from epicommand.core.models import AuditEvent, Notification
from epicommand.quarantine.models import Alert, HealthCheck, Stay
from epicommand.quarantine.queries import monitoring as queries
from epicommand.quarantine.services import monitoring

from .monitoring_world import make_person, monitoring_world  # noqa: F401


@pytest.fixture
def world(city, make_user, city_office):
    return monitoring_world(city, make_user, city_office)


@pytest.fixture
def stay(world, gaocheng_person):
    return world.stay(gaocheng_person, number="101")


@pytest.mark.parametrize("temperature", [33.9, 43.1, "abc", "NaN", "Infinity", None, "", 10**30])
def test_a_temperature_out_of_range_or_not_a_number_is_refused_naming_the_field(
    world, stay, temperature
):
    with pytest.raises(ValidationError) as refused:
        monitoring.record_check(world.manager, stay, temperature=temperature)
    assert list(refused.value.message_dict) == ["temperature"]
    assert not HealthCheck.objects.exists()


@pytest.mark.parametrize("temperature", ["34.0", "43.0", 36.5])
def test_the_ends_of_the_range_are_accepted(world, stay, temperature):
    check = monitoring.record_check(world.manager, stay, temperature=temperature)
    assert check.temperature == Decimal(str(temperature)).quantize(Decimal("0.1"))


def test_an_unknown_symptom_is_refused(world, stay):
    with pytest.raises(ValidationError) as refused:
        monitoring.record_check(world.manager, stay, temperature=36.6, symptoms=["hiccups"])
    assert "symptoms" in refused.value.message_dict


def test_a_normal_check_raises_no_alert_and_is_audited(world, stay):
    check = monitoring.record_check(world.manager, stay, temperature=36.6, symptoms=["fatigue"])
    assert check.alert is None
    assert check.symptoms == ["fatigue"]
    assert not Alert.objects.exists()
    assert not Notification.objects.exists()
    event = AuditEvent.objects.get(action="health_check.record")
    assert (event.actor, event.object_id) == (world.manager, str(check.pk))


def test_a_fever_alerts_the_site_unit_and_the_county_cdc_and_records_a_fever_fact(
    world, city, stay, gaocheng_person
):
    check = monitoring.record_check(world.manager, stay, temperature="38.2", symptoms=["cough"])

    alert = Alert.objects.get()
    assert (alert.kind, alert.stay, alert.site, alert.check_record) == (
        Alert.Kind.FEVER,
        stay,
        world.site,
        check,
    )
    assert "38.2 °C" in alert.detail and "Cough" in alert.detail
    told = {n.unit_id: n for n in Notification.objects.all()}
    assert set(told) == {world.site_unit.pk, city.gaocheng_cdc.pk}
    for notification in told.values():
        assert gaocheng_person.name in notification.message
        assert str(stay.pk) in notification.url
    fact = HealthFact.objects.get(kind=FactKind.FEVER)
    assert (fact.person_id, fact.source_key, fact.ended_at) == (
        gaocheng_person.pk,
        f"check:{check.pk}",
        None,
    )


def test_the_fever_threshold_is_the_editions(world, stay):
    monitoring.record_check(world.manager, stay, temperature="37.2")
    assert not Alert.objects.exists()
    monitoring.record_check(world.manager, stay, temperature="37.3")
    assert Alert.objects.get().kind == Alert.Kind.FEVER


def test_a_respiratory_symptom_without_fever_alerts_too(world, stay):
    monitoring.record_check(world.manager, stay, temperature="36.8", symptoms=["sore_throat"])
    assert Alert.objects.get().kind == Alert.Kind.SYMPTOMS
    assert HealthFact.objects.filter(kind=FactKind.FEVER).exists()


def test_a_normal_check_after_a_fever_ends_the_fever_fact(world, stay):
    monitoring.record_check(world.manager, stay, temperature="38.0")
    monitoring.record_check(world.manager, stay, temperature="36.7")
    assert HealthFact.objects.get(kind=FactKind.FEVER).ended_at is not None


def test_checks_are_refused_to_another_district_and_to_roles_without_the_capability(
    world, stay, gaocheng_epi
):
    with pytest.raises(PermissionDenied):
        monitoring.record_check(world.changan_staff, stay, temperature=36.5)
    with pytest.raises(PermissionDenied):
        monitoring.record_check(gaocheng_epi, stay, temperature=36.5)


def test_a_released_stay_is_no_longer_checked(world, stay):
    Stay.objects.filter(pk=stay.pk).update(status=Stay.Status.RELEASED)
    stay.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        monitoring.record_check(world.manager, stay, temperature=36.5)
    assert "stay" in refused.value.message_dict


def test_a_check_in_the_future_is_refused(world, stay):
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        monitoring.record_check(world.manager, stay, temperature=36.5, checked_at=later)
    assert "checked_at" in refused.value.message_dict


# A floor at once ---------------------------------------------------------------------------


@pytest.fixture
def floor_one(world, city):
    return [
        world.stay(make_person(city, name), number=number)
        for name, number in (("王芳", "101"), ("刘洋", "102"), ("陈静", "103"))
    ]


def test_a_floor_is_recorded_at_once_and_audited_once(world, floor_one, city):
    rows = [
        {"stay_id": floor_one[0].pk, "temperature": "36.4"},
        {"stay_id": floor_one[1].pk, "temperature": 38.9, "symptoms": ["cough"]},
        {"stay_id": floor_one[2].pk, "temperature": "36.9", "symptoms": []},
    ]
    result = monitoring.record_floor(world.manager, world.site, "A", 1, rows)

    assert len(result.recorded) == 3 and result.skipped == []
    assert [a.stay_id for a in result.alerts] == [floor_one[1].pk]
    assert Notification.objects.count() == 2
    assert AuditEvent.objects.filter(action="health_check.record_floor").count() == 1
    assert not AuditEvent.objects.filter(action="health_check.record").exists()


def test_one_bad_row_refuses_the_whole_floor_naming_each_row(world, floor_one):
    rows = [
        {"stay_id": floor_one[0].pk, "temperature": "36.4"},
        {"stay_id": floor_one[1].pk, "temperature": "50"},
        {"stay_id": floor_one[2].pk, "temperature": "36.9", "symptoms": ["sneezing"]},
    ]
    with pytest.raises(ValidationError) as refused:
        monitoring.record_floor(world.manager, world.site, "A", 1, rows)
    assert set(refused.value.message_dict) == {"items[1].temperature", "items[2].symptoms"}
    assert not HealthCheck.objects.exists()
    assert not Alert.objects.exists()


def test_a_floor_refuses_persons_of_another_floor_or_given_twice(world, floor_one, city):
    upstairs = world.stay(make_person(city, "赵磊"), number="201")
    rows = [
        {"stay_id": floor_one[0].pk, "temperature": "36.4"},
        {"stay_id": upstairs.pk, "temperature": "36.5"},
        {"stay_id": floor_one[0].pk, "temperature": "36.6"},
        {"stay_id": "x", "temperature": "36.6"},
        "not an object",
    ]
    with pytest.raises(ValidationError) as refused:
        monitoring.record_floor(world.manager, world.site, "A", 1, rows)
    assert set(refused.value.message_dict) == {
        "items[1].stay_id",
        "items[2].stay_id",
        "items[3].stay_id",
        "items[4]",
    }
    assert not HealthCheck.objects.exists()


def test_a_retried_floor_adds_nothing_and_says_who_was_checked_already(world, floor_one):
    rows = [{"stay_id": s.pk, "temperature": "36.5"} for s in floor_one]
    at = timezone.now()
    monitoring.record_floor(world.manager, world.site, "A", 1, rows, checked_at=at)
    again = monitoring.record_floor(world.manager, world.site, "A", 1, rows, checked_at=at)
    assert again.recorded == []
    assert again.skipped == sorted(s.pk for s in floor_one)
    assert HealthCheck.objects.count() == 3


def test_an_empty_floor_is_refused(world, floor_one):
    with pytest.raises(ValidationError) as refused:
        monitoring.record_floor(world.manager, world.site, "A", 1, [])
    assert "items" in refused.value.message_dict


# Sessions and missing checks ---------------------------------------------------------------


def test_the_morning_round_ends_at_noon_beijing_time():
    morning = queries.session_at(timezone.make_aware(datetime(2021, 1, 12, 11, 59)))
    afternoon = queries.session_at(timezone.make_aware(datetime(2021, 1, 12, 12, 0)))
    assert (morning.afternoon, afternoon.afternoon) == (False, True)
    assert morning.end == afternoon.start
    assert timezone.localtime(afternoon.end) == timezone.make_aware(datetime(2021, 1, 13))
    assert (morning.key, afternoon.key) == ("2021-01-12-am", "2021-01-12-pm")


def test_the_missing_list_holds_who_was_not_checked_this_session(world, floor_one):
    now = timezone.now()
    session = queries.session_at(now)
    monitoring.record_check(world.manager, floor_one[0], temperature=36.5, checked_at=now)
    missing, more = queries.missing_checks(world.site, session)
    assert [s.pk for s in missing] == [floor_one[1].pk, floor_one[2].pk]
    assert more is False


def test_the_floor_picker_lists_each_floor_once(world):
    assert queries.floors_of(world.site) == [("A", 1), ("A", 2)]
