"""Assigning a room, the refusals (an occupied room, a person already in a stay, a room
being cleaned), families sharing a family room, the release only when its conditions
hold, and the health code the stay gives: red in the site, yellow at home, green after."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent, Counter
from epicommand.core.recount import recount
from epicommand.quarantine.models import Room, Stay, StayTest
from epicommand.quarantine.services import releases, sites, stays
from tests.consistency import assert_consistent

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    hotel_fixture,
    make_household,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db
R = StayTest.Result


def colour(person) -> str:
    return healthcode.current(person).colour


def lab(stay: Stay, result=R.NEGATIVE, *, phases=None, days=None) -> None:
    """The testing module's results landing on the stay's required tests."""
    tests = StayTest.objects.filter(stay=stay)
    if phases:
        tests = tests.filter(phase__in=phases)
    if days:
        tests = tests.filter(day__in=days)
    tests.update(result=result, resulted_at=timezone.now())


def counter(metric: str, code: str = "130109") -> int:
    row = Counter.objects.filter(region_id=code, metric=metric).order_by("-day").first()
    return row.value if row else 0


def assign(staff, person, site, **kw):
    kw.setdefault("reason", "close_contact")
    return stays.assign_stay(staff, person, site=site, **kw)


def test_assigning_a_room_occupies_it_turns_the_code_red_and_is_audited(site_manager, camp, city):
    person = make_person(city.xgz)
    free_before = counter("rooms_free")
    stay = assign(site_manager, person, camp, pickup_address="小果庄村 3 号", vehicle="冀A12345")
    first = room(camp, "A101")  # the first free room, in order
    assert stay.room == first and stay.status == Stay.Status.IN_TRANSFER
    assert (first.status, first.occupants) == (Room.Status.OCCUPIED, 1)
    assert stay.region_id == camp.region_id  # the site's record
    assert colour(person) == Colour.RED  # under control from the pickup
    assert counter("rooms_free") == free_before - 1
    assert counter("stays_in_site") == 1
    event = AuditEvent.objects.get(action="quarantine_stay.assign")
    assert event.actor == site_manager and event.object_id == str(stay.pk)


def test_the_fact_starts_at_pickup_not_at_arrival(site_manager, camp, city):
    person = make_person(city.xgz)
    pickup = timezone.now() - timedelta(hours=3)
    stay = assign(site_manager, person, camp, pickup_at=pickup)
    fact = HealthFact.objects.get(person=person, kind=FactKind.CENTRALIZED_QUARANTINE)
    assert fact.started_at == pickup == stay.started_at
    assert fact.source_key == f"stay:{stay.pk}"
    stays.confirm_arrival(site_manager, stay)
    stay.refresh_from_db()
    assert stay.status == Stay.Status.IN_SITE and stay.arrived_at is not None
    assert colour(person) == Colour.RED


def test_an_occupied_room_is_refused(site_manager, camp, city):
    assign(site_manager, make_person(city.xgz), camp, room=room(camp, "A102"))
    with pytest.raises(ValidationError) as refused:
        assign(site_manager, make_person(city.xgz), camp, room=room(camp, "A102"))
    assert refused.value.message_dict["room"] == ["room A102 is occupied"]
    assert Stay.objects.count() == 1


def test_a_person_already_in_a_stay_is_refused_and_told_which(site_manager, camp, city):
    person = make_person(city.xgz)
    first = assign(site_manager, person, camp)
    with pytest.raises(ValidationError) as refused:
        assign(site_manager, person, camp)
    message = refused.value.message_dict["person"][0]
    assert f"already in stay {first.pk}" in message and "黄庄集中隔离点" in message
    assert Stay.objects.count() == 1


def test_rooms_being_cleaned_or_out_of_service_are_refused(site_manager, camp, city):
    sites.set_room_status(site_manager, room(camp, "A103"), Room.Status.CLEANING)
    sites.set_room_status(site_manager, room(camp, "A104"), Room.Status.OUT_OF_SERVICE)
    for label, reason in (("A103", "being cleaned"), ("A104", "out of service")):
        with pytest.raises(ValidationError) as refused:
            assign(site_manager, make_person(city.xgz), camp, room=room(camp, label))
        assert reason in refused.value.message_dict["room"][0]


def test_a_family_shares_a_family_room_up_to_its_beds(site_manager, camp, city):
    family = make_household(city.xgz, "1301091042010099")
    parent, child, grandparent, fourth = (make_person(city.xgz, household=family) for _ in range(4))
    family_room = room(camp, "F101")
    for person in (parent, child, grandparent):
        assign(site_manager, person, camp, room=family_room)
    family_room.refresh_from_db()
    assert family_room.occupants == 3
    with pytest.raises(ValidationError) as refused:
        assign(site_manager, fourth, camp, room=family_room)
    assert "all its 3 beds are taken" in refused.value.message_dict["room"][0]


def test_a_stranger_may_not_join_a_family_room(site_manager, camp, city):
    family = make_household(city.xgz, "1301091042010098")
    assign(site_manager, make_person(city.xgz, household=family), camp, room=room(camp, "F102"))
    with pytest.raises(ValidationError) as refused:
        assign(site_manager, make_person(city.xgz), camp, room=room(camp, "F102"))
    assert "same household" in refused.value.message_dict["room"][0]


def test_families_share_only_where_the_policy_allows(settings, site_manager, camp, city):
    from dataclasses import replace

    from epicommand.core import policy

    strict = replace(policy.EDITIONS["8"], code="8s", family_may_share_room=False)
    settings.PROTOCOL_EDITION = "8s"
    policy.EDITIONS["8s"] = strict
    try:
        family = make_household(city.xgz, "1301091042010097")
        first, second = (make_person(city.xgz, household=family) for _ in range(2))
        assign(site_manager, first, camp, room=room(camp, "F102"))
        with pytest.raises(ValidationError) as refused:
            assign(site_manager, second, camp, room=room(camp, "F102"))
        assert "does not let families share" in refused.value.message_dict["room"][0]
    finally:
        del policy.EDITIONS["8s"]


def test_without_a_room_a_family_member_joins_the_family_room(site_manager, camp, city):
    family = make_household(city.xgz, "1301091042010096")
    mother, son = (make_person(city.xgz, household=family) for _ in range(2))
    assign(site_manager, mother, camp, room=room(camp, "F101"))
    stay = assign(site_manager, son, camp)
    assert stay.room == room(camp, "F101")


def test_a_full_site_says_so(site_manager, camp, city):
    for _ in range(Room.objects.filter(site=camp).count()):
        assign(site_manager, make_person(city.xgz), camp)
    with pytest.raises(ValidationError) as refused:
        assign(site_manager, make_person(city.xgz), camp)
    assert refused.value.message_dict["room"] == ["site 黄庄集中隔离点 has no free room"]


def test_another_districts_staff_may_not_assign_to_the_site(changan_office, camp, city):
    with pytest.raises(PermissionDenied):
        assign(changan_office, make_person(city.community), camp)


def test_an_epidemiologist_may_not_assign_rooms(gaocheng_epi, camp, city):
    with pytest.raises(PermissionDenied):
        assign(gaocheng_epi, make_person(city.xgz), camp)


# Release -------------------------------------------------------------------------------------


def _days_later(monkeypatch, days: int):
    """'Now' moves `days` days past the real now (not past an earlier move)."""
    moment = datetime.now(UTC) + timedelta(days=days)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_release_is_refused_until_the_days_are_served_and_the_tests_negative(
    settings, monkeypatch, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    person = make_person(city.xgz)
    stay = assign(site_manager, person, camp)
    with pytest.raises(ValidationError) as refused:
        releases.release_from_site(site_manager, stay)
    assert "arrival at the site is not confirmed" in refused.value.message_dict["status"][0]
    stays.confirm_arrival(site_manager, stay)

    # Day 10: four days to go and the day-14 tests not taken.
    _days_later(monkeypatch, 9)
    lab(stay, phases=[StayTest.Phase.SITE], days=[1, 4, 7])
    with pytest.raises(ValidationError) as refused:
        releases.release_from_site(site_manager, stay)
    errors = refused.value.message_dict
    assert errors["planned_site_end"] == [
        f"the centralized part is served on {stay.planned_site_end}: 5 more day(s)"
    ]
    assert len(errors["tests"]) == 2  # day 14, site and release samples
    assert all("Not yet sampled, not negative" in e for e in errors["tests"])

    # Day 15: served, but the release sample came back invalid and was not re-sampled.
    _days_later(monkeypatch, 14)
    lab(stay, phases=[StayTest.Phase.SITE], days=[14])
    lab(stay, R.INVALID, phases=[StayTest.Phase.RELEASE])
    with pytest.raises(ValidationError) as refused:
        releases.release_from_site(site_manager, stay)
    assert set(refused.value.message_dict) == {"tests"}
    assert "Release (second sample, second reagent)" in refused.value.message_dict["tests"][0]
    assert releases.release_problems(stay) != []

    lab(stay, phases=[StayTest.Phase.RELEASE])
    stay.refresh_from_db()
    assert releases.release_problems(stay) == []
    released = releases.release_from_site(site_manager, stay)
    assert released.status == Stay.Status.HOME_MONITORING
    assert colour(person) == Colour.YELLOW  # red in the site, yellow at home


def test_the_room_goes_to_cleaning_and_the_counters_move(
    settings, monkeypatch, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    stay = assign(site_manager, make_person(city.xgz), camp, room=room(camp, "A201"))
    stays.confirm_arrival(site_manager, stay)
    free = counter("rooms_free")
    _days_later(monkeypatch, 14)
    lab(stay)
    releases.release_from_site(site_manager, stay)
    a201 = room(camp, "A201")
    assert (a201.status, a201.occupants) == (Room.Status.CLEANING, 0)
    assert counter("rooms_free") == free  # cleaning is not free yet
    assert (counter("stays_in_site"), counter("stays_home")) == (0, 1)
    sites.set_room_status(site_manager, a201, Room.Status.FREE, reason="消杀完成")
    assert counter("rooms_free") == free + 1


def test_home_monitoring_ends_when_served_and_negative_and_the_code_turns_green(
    settings, monkeypatch, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    person = make_person(city.xgz)
    stay = assign(site_manager, person, camp)
    stays.confirm_arrival(site_manager, stay)
    _days_later(monkeypatch, 14)
    lab(stay, phases=[StayTest.Phase.SITE, StayTest.Phase.RELEASE])
    releases.release_from_site(site_manager, stay)
    with pytest.raises(ValidationError) as refused:
        releases.end_home_monitoring(site_manager, stay)
    assert "7 more day(s)" in refused.value.message_dict["planned_home_end"][0]
    assert len(refused.value.message_dict["tests"]) == 2  # home days 2 and 7
    _days_later(monkeypatch, 21)
    lab(stay, phases=[StayTest.Phase.HOME])
    done = releases.end_home_monitoring(site_manager, stay)
    assert done.status == Stay.Status.RELEASED and done.released_at is not None
    assert colour(person) == Colour.GREEN
    assert stays.days_remaining(done) is None


def test_an_8th_edition_secondary_contact_goes_straight_home_green(
    settings, monkeypatch, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    person = make_person(city.xgz)
    stay = assign(site_manager, person, camp, reason="secondary_contact")
    stays.confirm_arrival(site_manager, stay)
    _days_later(monkeypatch, 7)
    lab(stay)
    assert releases.release_from_site(site_manager, stay).status == Stay.Status.RELEASED
    assert colour(person) == Colour.GREEN


def test_a_9th_edition_secondary_contact_at_home_is_yellow_then_green(
    settings, monkeypatch, site_manager, city
):
    settings.PROTOCOL_EDITION = "9"
    person = make_person(city.xgz)
    stay = stays.assign_stay(site_manager, person, reason="secondary_contact", site=None)
    assert colour(person) == Colour.YELLOW
    assert counter("stays_home") == 1 and counter("stays_in_site") == 0
    _days_later(monkeypatch, 7)
    lab(stay)
    releases.end_home_monitoring(site_manager, stay)
    assert colour(person) == Colour.GREEN


def test_a_positive_case_goes_to_hospital_frees_the_room_and_stays_red(site_manager, camp, city):
    person = make_person(city.xgz)
    stay = assign(site_manager, person, camp, room=room(camp, "A105"))
    stays.confirm_arrival(site_manager, stay)
    moved = releases.transfer_to_hospital(site_manager, stay, reason="第4天核酸阳性")
    assert moved.status == Stay.Status.TO_HOSPITAL
    assert room(camp, "A105").status == Room.Status.CLEANING
    assert colour(person) == Colour.RED
    kinds = set(
        HealthFact.objects.filter(person=person, ended_at__isnull=True).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {FactKind.CASE}
    assert counter("stays_in_site") == 0
    with pytest.raises(ValidationError):
        releases.transfer_to_hospital(site_manager, moved)


def test_days_remaining_count_down_to_the_end_of_the_current_part(
    settings, monkeypatch, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    stay = assign(site_manager, make_person(city.xgz), camp)
    today = timezone.localdate()
    assert stays.days_remaining(stay, today) == 14
    assert stays.day_of_stay(stay, today) == 1
    assert stays.days_remaining(stay, today + timedelta(days=10)) == 4


def test_the_counters_the_services_keep_equal_a_recount(
    settings, monkeypatch, site_manager, camp, hotel, changan_office, city
):
    settings.PROTOCOL_EDITION = "8"
    people = [make_person(city.xgz) for _ in range(4)]
    kept = [assign(site_manager, p, camp) for p in people]
    assign(changan_office, make_person(city.community), hotel)
    stays.confirm_arrival(site_manager, kept[0])
    releases.transfer_to_hospital(site_manager, kept[1])
    sites.set_room_status(site_manager, room(camp, "A203"), Room.Status.OUT_OF_SERVICE)
    metrics = ("stays_in_site", "stays_home", "rooms_free")
    kept_values = {(m, c): counter(m, c) for m in metrics for c in ("130100", "130109", "130102")}
    assert kept_values[("stays_in_site", "130100")] == 4
    # Twelve rooms: four taken (one of them since sent to cleaning), A203 out of service.
    assert kept_values[("rooms_free", "130109")] == 12 - 4 - 1
    recount()
    assert {(m, c): counter(m, c) for m in metrics for c in ("130100", "130109", "130102")} == (
        kept_values
    )
    assert_consistent()


def test_started_at_must_be_aware_and_recent(site_manager, camp, city):
    naive = datetime(2021, 1, 10, 9, 0)
    with pytest.raises(ValidationError) as refused:
        assign(site_manager, make_person(city.xgz), camp, started_at=naive)
    assert "time zone" in refused.value.message_dict["started_at"][0]
    with pytest.raises(ValidationError) as refused:
        assign(
            site_manager,
            make_person(city.xgz),
            camp,
            started_at=timezone.now() - timedelta(days=40),
        )
    assert "30 days" in refused.value.message_dict["started_at"][0]
