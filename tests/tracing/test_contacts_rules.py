"""The rules that find contacts by themselves: household members of a case are close
contacts; household members and workplace companions of a close contact are secondary
contacts; persons whose scans overlapped the case become candidates."""

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.testing.models import PriorityTest
from epicommand.tracing.models import Candidate, Case, Contact
from epicommand.tracing.services import contacts
from epicommand.tracing.services.cases import register_case
from tests.followups import committed

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW, ONSET


def _contacts(case):
    return {c.person_id: c for c in Contact.objects.filter(case=case)}


def test_household_members_of_a_case_become_close_contacts(world):
    contacts.refresh_for_case(world.case, now=NOW)
    found = _contacts(world.case)
    for member in (world.spouse, world.child):
        contact = found[member.pk]
        assert (contact.degree, contact.setting, contact.found_by) == (
            "close",
            "household",
            "household",
        )
        assert contact.last_exposure_at == NOW
        assert contact.source_contact is None
    assert world.patient.pk not in found


def test_household_and_workplace_companions_of_a_close_contact_are_secondary(world):
    contacts.refresh_for_case(world.case, now=NOW)
    found = _contacts(world.case)
    spouse = found[world.spouse.pk]
    for companion in (world.colleague, world.changan_colleague):
        contact = found[companion.pk]
        assert (contact.degree, contact.setting, contact.found_by) == (
            "secondary",
            "workplace",
            "workplace",
        )
        assert contact.source_contact == spouse
    # The child is in the spouse's household too, but already a close contact of the case.
    assert found[world.child.pk].degree == "close"


def test_refreshing_twice_finds_nothing_new(world):
    contacts.refresh_for_case(world.case, now=NOW)
    first = sorted(Contact.objects.values_list("person_id", "degree"))
    contacts.refresh_for_case(world.case, now=NOW)
    assert sorted(Contact.objects.values_list("person_id", "degree")) == first
    assert Candidate.objects.count() == 2


def test_scans_overlapping_the_case_visit_become_ranked_candidates(world):
    contacts.refresh_for_case(world.case, now=NOW)
    ranked = list(Candidate.objects.filter(case=world.case).order_by("-overlap_minutes"))
    assert [(c.person_id, c.overlap_minutes, c.visits) for c in ranked] == [
        (world.shopper.pk, 60, 1),
        (world.changan_shopper.pk, 20, 1),
    ]
    assert all(c.venue_id == world.market.pk and c.status == "pending" for c in ranked)


def test_close_contacts_turn_red_are_listed_for_testing_and_secondary_turn_yellow(world):
    contacts.refresh_for_case(world.case, now=NOW)
    assert healthcode.current(world.spouse).colour == Colour.RED
    assert healthcode.current(world.colleague).colour == Colour.YELLOW
    assert PriorityTest.objects.filter(person=world.spouse, reason="close_contact").exists()
    assert not PriorityTest.objects.filter(person=world.colleague).exists()
    kinds = set(HealthFact.objects.filter(person=world.spouse).values_list("kind", flat=True))
    assert kinds == {FactKind.CLOSE_CONTACT}


def test_registering_a_case_finds_its_household_and_candidates(world, gaocheng_epi):
    patient = world.child
    with committed():
        case = register_case(
            gaocheng_epi,
            patient,
            classification="mild",
            detection_route="report",
            onset_date=ONSET,
            now=NOW,
        )
    found = _contacts(case)
    assert {found[world.spouse.pk].degree, found[world.patient.pk].degree} == {"close"}
    assert found[world.colleague.pk].degree == "secondary"


def test_a_contact_who_is_a_case_joins_the_cluster_of_the_case(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    with committed():
        spouse_case = register_case(
            gaocheng_epi,
            world.spouse,
            classification="mild",
            detection_route="report",
            onset_date=ONSET,
            now=NOW,
        )
    cluster_of = dict(Case.objects.values_list("pk", "cluster_id"))
    assert cluster_of[world.case.pk] is not None
    assert cluster_of[world.case.pk] == cluster_of[spouse_case.pk]
