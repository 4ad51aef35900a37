"""A person named as a contact while already under control (in a quarantine site, kept at
home with their household) is recorded as under control from the moment they are named:
"contacts not yet under control" does not count them, and they are never overdue. A
household put at home brings its members' contact records under control likewise."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.dashboard import build_dashboard
from epicommand.core.models import Role
from epicommand.core.recount import recount
from epicommand.quarantine.services import households, stays
from epicommand.tracing.models import Case, Contact
from epicommand.tracing.services import contacts
from tests.consistency import assert_consistent
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_household,
    make_person,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(name="case")
def case_fixture(city, gaocheng_person):
    now = timezone.now()
    return Case.objects.create(
        person=gaocheng_person,
        region_id=gaocheng_person.region_id,
        classification="mild",
        detection_route="mass_testing",
        onset_date=timezone.localdate(now) - timedelta(days=1),
        reported_at=now - timedelta(hours=1),
        confirmed_at=now - timedelta(hours=1),
    )


@pytest.fixture(name="worker")
def worker_fixture(make_user, city):
    return make_user("xgz_worker", Role.COMMUNITY_WORKER, city.xgz)


def name_close_contact(epi, case, person) -> Contact:
    return contacts.add_contact(
        epi,
        case,
        person,
        degree="close",
        setting="meal",
        last_exposure_at=timezone.now() - timedelta(hours=3),
    )


def not_yet_under_control(who) -> int:
    """The command dashboard's figure for Gaocheng."""
    board = build_dashboard(who)
    gaocheng = next(f for f in board.counties if f.region.code == "130109")
    return gaocheng.values["contacts_open"]


def test_a_person_in_a_site_named_as_a_contact_is_under_control_at_once(
    city, case, gaocheng_epi, city_office, site_manager, camp
):
    person = make_person(city.xgz)
    recount()
    stays.assign_stay(site_manager, person, reason="close_contact", site=camp)

    contact = name_close_contact(gaocheng_epi, case, person)
    assert contact.status == Contact.Status.CONTROLLED
    assert contact.controlled_at == contact.identified_at
    assert not contacts.is_overdue(contact, timezone.now() + timedelta(days=3))
    assert not_yet_under_control(city_office) == 0
    assert_consistent()


def test_a_person_kept_at_home_named_as_a_contact_is_under_control_at_once(
    city, case, gaocheng_epi, city_office, worker
):
    home = make_household(city.xgz, "1301091042018001")
    person = make_person(city.xgz, household=home)
    recount()
    households.put_under_home_quarantine(
        worker, home, reason="同住人为密接者", ends_on=timezone.localdate() + timedelta(days=7)
    )

    contact = name_close_contact(gaocheng_epi, case, person)
    assert contact.status == Contact.Status.CONTROLLED
    assert not_yet_under_control(city_office) == 0
    assert_consistent()


def test_a_person_not_under_control_is_counted_until_they_are(
    city, case, gaocheng_epi, city_office, worker
):
    home = make_household(city.xgz, "1301091042018002")
    person = make_person(city.xgz, household=home)
    recount()
    contact = name_close_contact(gaocheng_epi, case, person)
    assert contact.status == Contact.Status.IDENTIFIED
    assert not_yet_under_control(city_office) == 1

    households.put_under_home_quarantine(
        worker, home, reason="同住人为密接者", ends_on=timezone.localdate() + timedelta(days=7)
    )
    contact.refresh_from_db()
    assert contact.status == Contact.Status.CONTROLLED
    assert not_yet_under_control(city_office) == 0
    assert_consistent()
