"""A household under home quarantine: every member's code turns yellow (a HOME_MONITORING
fact) and turns back when the quarantine ends; a high-risk area keeps every household of
the region at home in one call, with no fact of its own; workers and teams must cover the
household; everything is audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent, Role
from epicommand.people.models import Household, Person
from epicommand.quarantine.models import HouseholdControl, SupplyRequest
from epicommand.quarantine.services import households as services
from epicommand.quarantine.services import supplies

from .household_world import *  # noqa: F403  (fixtures)
from .household_world import add_person, until

Kind = HouseholdControl.Kind


def colours(household):
    ids = list(Person.objects.filter(household=household).values_list("pk", flat=True))
    return set(healthcode.colours_of(ids).values())


def test_home_quarantine_turns_every_member_yellow_with_a_fact_per_member(
    family, gaocheng_worker, gaocheng_team
):
    control = services.put_under_home_quarantine(
        gaocheng_worker,
        family,
        reason="同住人为密接者",
        ends_on=until(7),
        community_worker=gaocheng_worker,
        team=gaocheng_team,
    )
    assert (control.kind, control.region_id, control.ends_on) == (
        Kind.HOME_QUARANTINE,
        "130109104201",
        until(7),
    )
    facts = HealthFact.objects.filter(kind=FactKind.HOME_MONITORING)
    members = set(Person.objects.filter(household=family).values_list("pk", flat=True))
    assert len(members) == 3
    assert {f.person_id for f in facts} == members
    assert {f.source_key for f in facts} == {f"household:{control.pk}:{pk}" for pk in members}
    assert all(f.ended_at is None for f in facts)
    assert colours(family) == {Colour.YELLOW}
    event = AuditEvent.objects.get(action="household.home_quarantine")
    assert event.object_id == str(control.pk) and event.region_id == "130109104201"
    assert "同住人为密接者" in event.reason and "3 members" in event.reason


def test_ending_the_quarantine_ends_its_facts_and_the_codes_turn_green(
    home_quarantine, family, gaocheng_worker
):
    services.end_household_control(gaocheng_worker, home_quarantine, reason="期满解除")
    home_quarantine.refresh_from_db()
    assert home_quarantine.ended_at is not None
    assert not HealthFact.objects.filter(kind=FactKind.HOME_MONITORING, ended_at__isnull=True)
    assert colours(family) == {Colour.GREEN}
    assert AuditEvent.objects.filter(action="household.end", reason__contains="期满解除").exists()


def test_ending_leaves_a_home_monitoring_fact_of_another_source_open(
    home_quarantine, family, gaocheng_person, gaocheng_worker
):
    # A member also under home monitoring after a stay: that fact is the stay's to end.
    healthcode.record_fact(
        gaocheng_person,
        FactKind.HOME_MONITORING,
        started_at=timezone.now(),
        source="quarantine stay 9",
        source_key="stay:9",
    )
    services.end_household_control(gaocheng_worker, home_quarantine, reason="期满解除")
    still_open = HealthFact.objects.filter(kind=FactKind.HOME_MONITORING, ended_at__isnull=True)
    assert list(still_open.values_list("source_key", flat=True)) == ["stay:9"]
    assert healthcode.colours_of([gaocheng_person.pk])[gaocheng_person.pk] == Colour.YELLOW


def test_ending_cancels_the_open_requests_and_the_counter_follows(
    home_quarantine, family, gaocheng_worker
):
    supplies.request_supplies(gaocheng_worker, family, kind="necessities", items="大米 5 kg")
    services.end_household_control(gaocheng_worker, home_quarantine, reason="期满解除")
    assert list(SupplyRequest.objects.values_list("status", flat=True)) == ["cancelled"]
    from epicommand.core import counters

    values = counters.latest_values(["130109"], ["supply_open"], timezone.localdate())
    assert values == {("130109", "supply_open"): 0}


def test_a_household_already_at_home_is_refused_with_its_reason(home_quarantine, family, city):
    with pytest.raises(ValidationError) as refused:
        services.put_under_home_quarantine(
            home_quarantine.community_worker, family, reason="再次", ends_on=until(3)
        )
    assert refused.value.message_dict == {
        "household_id": ["the household is already kept at home (Home quarantine)"]
    }


def test_ending_twice_is_refused(home_quarantine, gaocheng_worker):
    services.end_household_control(gaocheng_worker, home_quarantine, reason="期满")
    with pytest.raises(ValidationError) as refused:
        services.end_household_control(gaocheng_worker, home_quarantine, reason="又一次")
    assert refused.value.message_dict == {
        "household_id": ["the household is no longer kept at home"]
    }


@pytest.mark.parametrize(
    "reason, ends_on, field, message",
    [
        ("", 3, "reason", "is required"),
        ("x" * 501, 3, "reason", "is longer than 500 characters"),
        ("密接", None, "ends_on", "is required (the last day at home)"),
        ("密接", -1, "ends_on", "must not be in the past"),
        ("密接", 400, "ends_on", "must be within 366 days"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    family, gaocheng_worker, reason, ends_on, field, message
):
    with pytest.raises(ValidationError) as refused:
        services.put_under_home_quarantine(
            gaocheng_worker,
            family,
            reason=reason,
            ends_on=None if ends_on is None else until(ends_on),
        )
    assert refused.value.message_dict == {field: [message]}
    assert not HouseholdControl.objects.exists()


def test_the_worker_and_team_must_serve_the_household(
    family, gaocheng_worker, changan_worker, changan_team, make_user, city
):
    epi = make_user("zengcun_epi", Role.EPIDEMIOLOGIST, city.zengcun)
    with pytest.raises(ValidationError) as refused:
        services.put_under_home_quarantine(
            gaocheng_worker, family, reason="密接", ends_on=until(3), community_worker=epi
        )
    assert "community_worker_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.put_under_home_quarantine(
            gaocheng_worker,
            family,
            reason="密接",
            ends_on=until(3),
            community_worker=changan_worker,
            team=changan_team,
        )
    assert set(refused.value.message_dict) == {"community_worker_id", "team_id"}


def test_another_district_and_a_role_without_home_control_may_not(
    family, changan_worker, gaocheng_epi
):
    with pytest.raises(PermissionDenied):
        services.put_under_home_quarantine(changan_worker, family, reason="x", ends_on=until(3))
    with pytest.raises(PermissionDenied):
        services.put_under_home_quarantine(gaocheng_epi, family, reason="x", ends_on=until(3))


def test_assigning_the_worker_and_team_later_is_audited(
    family, gaocheng_worker, gaocheng_team, make_user, city
):
    control = services.put_under_home_quarantine(
        gaocheng_worker, family, reason="密接", ends_on=until(3)
    )
    village_worker = make_user("xgz_worker", Role.COMMUNITY_WORKER, city.xgz)
    services.assign_household(
        gaocheng_worker, control, community_worker=village_worker, team=gaocheng_team
    )
    control.refresh_from_db()
    assert (control.community_worker, control.team) == (village_worker, gaocheng_team)
    event = AuditEvent.objects.get(action="household.assign")
    assert "xgz_worker" in event.reason and "增村镇志愿服务队" in event.reason


# Lockdown areas ------------------------------------------------------------------------------


def _village_households(city, n: int):
    Household.objects.bulk_create(
        Household(code=f"13010910420199{i:04d}", region=city.xgz, address=f"小果庄村 {i} 号")
        for i in range(n)
    )


def test_an_area_lockdown_keeps_every_household_of_the_region_at_home_in_one_call(
    city, family, changan_family, gaocheng_worker, gaocheng_team
):
    _village_households(city, 1500)
    result = services.lock_down_area(
        gaocheng_worker,
        city.zengcun.code,
        reason="增村镇划为高风险地区",
        team=gaocheng_team,
    )
    assert (result.placed, result.already_at_home) == (1501, 0)
    controls = HouseholdControl.objects.filter(kind=Kind.LOCKDOWN_AREA, ended_at__isnull=True)
    assert controls.count() == 1501
    assert set(controls.values_list("team_id", flat=True)) == {gaocheng_team.pk}
    assert set(controls.values_list("region_id", flat=True)) == {"130109104201"}
    # Chang'an's household is not in the area.
    assert not HouseholdControl.objects.filter(household=changan_family).exists()
    # No fact from here: the risk area's own fact colours its residents.
    assert not HealthFact.objects.exists()
    events = AuditEvent.objects.filter(action="household.lockdown_area")
    assert events.count() == 1 and "1501 households" in events.get().reason


def test_a_second_lockdown_leaves_households_already_at_home_as_they_are(
    city, home_quarantine, family, gaocheng_worker
):
    _village_households(city, 4)
    first = services.lock_down_area(gaocheng_worker, city.xgz.code, reason="高风险")
    again = services.lock_down_area(gaocheng_worker, city.xgz.code, reason="高风险")
    assert (first.placed, first.already_at_home) == (4, 1)
    assert (again.placed, again.already_at_home) == (0, 5)
    home_quarantine.refresh_from_db()
    assert home_quarantine.kind == Kind.HOME_QUARANTINE and home_quarantine.ended_at is None


def test_lifting_the_lockdown_releases_the_area_but_not_home_quarantine(
    city, home_quarantine, gaocheng_worker
):
    _village_households(city, 3)
    services.lock_down_area(gaocheng_worker, city.xgz.code, reason="高风险")
    released = services.lift_area_lockdown(gaocheng_worker, city.zengcun.code, reason="降为低风险")
    assert released == 3
    assert not HouseholdControl.objects.filter(kind=Kind.LOCKDOWN_AREA, ended_at__isnull=True)
    home_quarantine.refresh_from_db()
    assert home_quarantine.ended_at is None


def test_a_lockdown_outside_the_jurisdiction_or_of_an_unknown_region_is_refused(
    city, changan_worker, gaocheng_worker
):
    with pytest.raises(PermissionDenied):
        services.lock_down_area(changan_worker, city.zengcun.code, reason="高风险")
    with pytest.raises(ValidationError) as refused:
        services.lock_down_area(gaocheng_worker, "130109999", reason="高风险")
    assert refused.value.message_dict == {"region_code": ["no such region"]}


def test_lockdown_households_get_a_member_fact_only_through_home_quarantine(
    city, family, gaocheng_worker
):
    add_person(city.xgz, family, "张小明", 13, born=timezone.localdate() - timedelta(days=3000))
    services.lock_down_area(gaocheng_worker, city.xgz.code, reason="高风险")
    assert colours(family) == {Colour.GREEN}


def test_the_city_office_may_keep_the_whole_city_at_home(city, city_office, family, changan_family):
    result = services.lock_down_area(city_office, city.sjz.code, reason="全市居家")
    assert (result.placed, result.already_at_home) == (2, 0)
    assert services.lift_area_lockdown(city_office, city.sjz.code, reason="解除") == 2
