"""Adding contacts by hand, confirming candidates, following a contact to release: what is
refused, what one row per (case, person) keeps, facts, counters and the overdue flag."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.control.models import Colour
from epicommand.control.services import healthcode
from epicommand.core.counters import latest_values
from epicommand.tracing.models import Candidate, Contact, Referral
from epicommand.tracing.services import contacts

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW, later, local, make_person


def open_contacts() -> int:
    return latest_values(["130109"], ["contacts_open"], date(2027, 1, 1))[
        ("130109", "contacts_open")
    ]


def add(actor, w, person, **changes):
    values = dict(degree="close", setting="meal", last_exposure_at=local(19, 12), now=NOW)
    return contacts.add_contact(actor, w.case, person, **{**values, **changes})


def test_an_epidemiologist_adds_a_close_contact_from_the_interview(world, gaocheng_epi):
    contact = add(gaocheng_epi, world, world.shopper)
    assert contact.status == "identified"
    assert contact.found_by == "interview"
    assert contact.control_deadline == NOW + timedelta(hours=24)
    assert healthcode.current(world.shopper).colour == Colour.RED


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"last_exposure_at": local(17, 23)}, "last_exposure_at"),  # before the window
        ({"last_exposure_at": later(2)}, "last_exposure_at"),  # in the future
        ({"degree": "distant"}, "degree"),
        ({"setting": "party"}, "setting"),
        ({"found_by": "rumour"}, "found_by"),
        ({"degree": "secondary"}, "source_contact"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, gaocheng_epi, changes, field):
    with pytest.raises(ValidationError) as refused:
        add(gaocheng_epi, world, world.shopper, **changes)
    assert field in refused.value.message_dict
    assert not Contact.objects.exists()


def test_the_case_person_is_not_their_own_contact(world, gaocheng_epi):
    with pytest.raises(ValidationError) as refused:
        add(gaocheng_epi, world, world.patient)
    assert "own person" in refused.value.message_dict["person"][0]


def test_a_person_is_not_a_contact_through_themselves(world, gaocheng_epi):
    close = add(gaocheng_epi, world, world.shopper)
    with pytest.raises(ValidationError) as refused:
        add(gaocheng_epi, world, world.shopper, degree="secondary", source_contact=close)
    assert "own contact" in refused.value.message_dict["person"][0]


def test_exposure_after_isolation_is_refused(world, gaocheng_epi):
    world.case.isolated_at = local(20, 12)
    world.case.save()
    with pytest.raises(ValidationError) as refused:
        add(gaocheng_epi, world, world.shopper, last_exposure_at=local(20, 18))
    assert "isolated" in refused.value.message_dict["last_exposure_at"][0]


def test_a_role_without_investigate_or_another_county_may_not_add(world, changan_epi, leader):
    for actor in (changan_epi, leader):
        with pytest.raises(PermissionDenied):
            add(actor, world, world.shopper)


def test_a_second_finding_keeps_one_row_the_closer_degree_and_the_later_exposure(
    world, gaocheng_epi
):
    add(gaocheng_epi, world, world.shopper, degree="general", setting="venue")
    assert healthcode.current(world.shopper).colour == Colour.GREEN
    add(gaocheng_epi, world, world.shopper, degree="close", last_exposure_at=local(19, 9))
    add(gaocheng_epi, world, world.shopper, degree="general", last_exposure_at=local(20, 9))
    contact = Contact.objects.get()
    assert (contact.degree, contact.setting) == ("close", "meal")
    assert contact.last_exposure_at == local(20, 9)
    assert healthcode.current(world.shopper).colour == Colour.RED


def test_a_contact_outside_the_investigators_scope_is_referred(world, gaocheng_epi):
    contact = add(gaocheng_epi, world, world.changan_shopper)
    referral = Referral.objects.get(contact=contact)
    assert referral.region_id == "130102"


def test_a_contact_moves_forward_to_release_and_their_code_turns_back(world, gaocheng_epi):
    contact = add(gaocheng_epi, world, world.shopper)
    assert open_contacts() == 1
    contacts.set_status(gaocheng_epi, contact, "notified", now=later(1))
    contact = contacts.set_status(gaocheng_epi, contact, "controlled", now=later(2))
    assert contact.controlled_at == later(2)
    assert open_contacts() == 0
    assert healthcode.current(world.shopper).colour == Colour.RED
    contact = contacts.set_status(gaocheng_epi, contact, "released", now=later(3))
    assert contact.released_at == later(3)
    assert healthcode.current(world.shopper).colour == Colour.GREEN
    with pytest.raises(ValidationError) as refused:
        contacts.set_status(gaocheng_epi, contact, "notified", now=later(4))
    assert "already" in refused.value.message_dict["status"][0]


def test_a_contact_not_controlled_within_the_policy_hours_is_overdue(world, gaocheng_epi):
    contact = add(gaocheng_epi, world, world.shopper)
    assert not contacts.is_overdue(contact, later(23))
    assert contacts.is_overdue(contact, later(25))
    contacts.set_status(gaocheng_epi, contact, "controlled", now=later(26))
    contact.refresh_from_db()
    assert contact.notified_at == later(26)
    assert not contacts.is_overdue(contact, later(27))


def test_confirming_a_candidate_makes_a_venue_contact(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    candidate = Candidate.objects.get(person=world.shopper)
    contact = contacts.confirm_candidate(gaocheng_epi, candidate, degree="close", now=NOW)
    assert (contact.found_by, contact.setting, contact.venue) == (
        "copresence",
        "venue",
        world.market,
    )
    assert contact.last_exposure_at == local(19, 9, 10)
    candidate.refresh_from_db()
    assert (candidate.status, candidate.contact, candidate.reviewed_by) == (
        "confirmed",
        contact,
        gaocheng_epi,
    )
    with pytest.raises(ValidationError):
        contacts.dismiss_candidate(gaocheng_epi, candidate)


def test_a_dismissed_candidate_stays_dismissed_when_the_case_is_refreshed(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    candidate = Candidate.objects.get(person=world.shopper)
    contacts.dismiss_candidate(gaocheng_epi, candidate)
    contacts.refresh_for_case(world.case, now=later(1))
    candidate.refresh_from_db()
    assert candidate.status == "dismissed"
    with pytest.raises(ValidationError):
        contacts.confirm_candidate(gaocheng_epi, candidate, degree="secondary")


def test_a_pending_candidate_whose_visit_was_removed_goes(world):
    contacts.refresh_for_case(world.case, now=NOW)
    world.visit.status = "removed"
    world.visit.save()
    contacts.refresh_for_case(world.case, now=later(1))
    assert not Candidate.objects.exists()


def test_candidates_for_many_cases_at_once(world, city):
    other = make_person("其他病例", city.xgz)
    from .contacts_world import make_case, make_visit

    second = make_case(other)
    make_visit(second, world.market, local(19, 8, 30), local(19, 9, 30))
    assert contacts.refresh_candidates([world.case, second], now=NOW) == 6
    found = set(Candidate.objects.values_list("case_id", "person_id"))
    assert (second.pk, world.patient.pk) in found
    assert (second.pk, world.late_shopper.pk) in found
