"""A person's state is one story (issue 14): a close contact in a stay is under control
from the admission, red in the site, yellow at home and green after; a contact who becomes a
case is no longer overdue and leaves the priority list; a household is not kept at home
while a member is in a site, nor the other way round."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.counters import latest_values
from epicommand.core.models import Role
from epicommand.core.recount import recount
from epicommand.quarantine.models import StayTest
from epicommand.quarantine.services import households, releases, stays
from epicommand.testing.models import PriorityTest
from epicommand.tracing.models import Case, Contact
from epicommand.tracing.services import cases, contacts
from tests.consistency import assert_consistent
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(name="traced")
def traced_fixture(city, gaocheng_person, gaocheng_epi):
    """张伟 a case since an hour ago, and his close contact, named now."""
    now = timezone.now()
    case = Case.objects.create(
        person=gaocheng_person,
        region_id=gaocheng_person.region_id,
        classification="mild",
        detection_route="mass_testing",
        onset_date=timezone.localdate(now) - timedelta(days=1),
        reported_at=now - timedelta(hours=1),
        confirmed_at=now - timedelta(hours=1),
    )
    person = make_person(city.xgz, name="刘洋")
    recount()  # the persons made by hand, counted as the seed counts them
    contact = contacts.add_contact(
        gaocheng_epi,
        case,
        person,
        degree="close",
        setting="meal",
        last_exposure_at=now - timedelta(hours=3),
        now=now,
    )
    return contact


def colour(person) -> str:
    return healthcode.current(person).colour


def open_contacts() -> int:
    return latest_values(["130109"], ["contacts_open"], date(2030, 1, 1))[
        ("130109", "contacts_open")
    ]


def days_later(monkeypatch, days: int) -> datetime:
    moment = datetime.now(UTC) + timedelta(days=days)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def negative(stay, *phases) -> None:
    StayTest.objects.filter(stay=stay, phase__in=phases).update(
        result=StayTest.Result.NEGATIVE, resulted_at=timezone.now()
    )


def test_a_close_contact_admitted_to_a_stay_is_under_control_at_once(traced, site_manager, camp):
    assert open_contacts() == 1
    stay = stays.assign_stay(site_manager, traced.person, reason="close_contact", site=camp)
    traced.refresh_from_db()
    assert traced.status == Contact.Status.CONTROLLED
    assert traced.controlled_at == stay.started_at
    assert not contacts.is_overdue(traced, timezone.now() + timedelta(days=3))
    assert open_contacts() == 0
    assert_consistent()


def test_a_released_close_contact_is_red_in_the_site_yellow_at_home_green_after(
    settings, monkeypatch, traced, site_manager, camp
):
    settings.PROTOCOL_EDITION = "8"
    person = traced.person
    stay = stays.assign_stay(site_manager, person, reason="close_contact", site=camp)
    stays.confirm_arrival(site_manager, stay)
    assert colour(person) == Colour.RED
    days_later(monkeypatch, 14)
    negative(stay, StayTest.Phase.SITE, StayTest.Phase.RELEASE)

    releases.release_from_site(site_manager, stay)
    assert colour(person) == Colour.YELLOW
    assert [r["kind"] for r in healthcode.current(person).reasons] == ["home_monitoring"]
    assert not HealthFact.objects.filter(
        person=person, kind=FactKind.CLOSE_CONTACT, ended_at__isnull=True
    ).exists()

    days_later(monkeypatch, 21)
    negative(stay, StayTest.Phase.HOME)
    releases.end_home_monitoring(site_manager, stay)
    assert colour(person) == Colour.GREEN
    traced.refresh_from_db()
    assert traced.status == Contact.Status.RELEASED and traced.released_at is not None
    assert_consistent()


def test_a_contact_who_became_a_case_is_not_overdue_and_leaves_the_priority_list(
    traced, gaocheng_epi
):
    person = traced.person
    assert PriorityTest.objects.filter(person=person, sampled_at__isnull=True).exists()
    later = timezone.now() + timedelta(days=6)
    assert contacts.is_overdue(traced, later)

    cases.register_case(
        gaocheng_epi,
        person,
        classification="mild",
        detection_route="priority_test",
        sampling_date=timezone.localdate(),
    )
    traced.refresh_from_db()
    assert not contacts.is_overdue(traced, later)
    assert traced.status == Contact.Status.CONTROLLED
    assert not PriorityTest.objects.filter(person=person).exists()
    assert open_contacts() == 0
    assert_consistent()


def test_a_suspected_case_keeps_the_entry_its_confirming_test_answers(traced, gaocheng_epi):
    person = traced.person
    cases.register_case(
        gaocheng_epi,
        person,
        classification="suspected",
        detection_route="priority_test",
        sampling_date=timezone.localdate(),
    )
    reasons = set(PriorityTest.objects.filter(person=person).values_list("reason", flat=True))
    assert reasons == {PriorityTest.Reason.SUSPECTED_CASE}
    assert_consistent()


@pytest.fixture(name="worker")
def worker_fixture(make_user, city):
    return make_user("xgz_worker", Role.COMMUNITY_WORKER, city.xgz)


def test_a_household_is_not_kept_at_home_while_a_member_is_in_a_site(
    gaocheng_person, city, site_manager, camp, worker
):
    wife = make_person(city.xgz, household=gaocheng_person.household, name="王芳")
    recount()
    stays.assign_stay(site_manager, wife, reason="close_contact", site=camp)
    with pytest.raises(ValidationError) as refused:
        households.put_under_home_quarantine(
            worker,
            gaocheng_person.household,
            reason="同住人为密接者",
            ends_on=timezone.localdate() + timedelta(days=7),
        )
    message = refused.value.message_dict["household_id"][0]
    assert message.startswith("王*: already in centralized quarantine")
    assert "黄庄集中隔离点" in message
    assert not HealthFact.objects.filter(kind=FactKind.HOME_MONITORING).exists()
    assert [r["kind"] for r in healthcode.current(wife).reasons] == ["centralized_quarantine"]
    assert_consistent()


def test_a_member_of_a_household_kept_at_home_is_not_admitted_to_a_site(
    gaocheng_person, site_manager, camp, worker
):
    recount()
    households.put_under_home_quarantine(
        worker,
        gaocheng_person.household,
        reason="同住人为密接者",
        ends_on=timezone.localdate() + timedelta(days=7),
    )
    with pytest.raises(ValidationError) as refused:
        stays.assign_stay(site_manager, gaocheng_person, reason="close_contact", site=camp)
    assert (
        "already under home monitoring or home quarantine"
        in (refused.value.message_dict["person"][0])
    )
    assert_consistent()
