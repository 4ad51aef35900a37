"""Many contacts found at once (a close contact at a big workplace): every rule holds for
each of them as when they were added one at a time - one row, fact, audit event and count
per contact, the referral for the one living in another county, no second finding twice."""

from datetime import date

from epicommand.control.models import FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.counters import latest_values
from epicommand.core.models import AuditEvent
from epicommand.testing.models import PriorityTest
from epicommand.tracing.models import Contact, Referral
from epicommand.tracing.services import contacts

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW, later, local, make_person

WORKERS = 30


def figure(county: str, metric: str) -> int:
    return latest_values([county], [metric], date(2027, 1, 1))[(county, metric)]


def mill_workers(world):
    return [make_person(f"工人{n}", world.city.xgz, workplace=world.mill) for n in range(WORKERS)]


def test_a_close_contact_at_a_big_workplace_brings_every_companion_in_once(world):
    workers = mill_workers(world)
    contacts.refresh_for_case(world.case, now=NOW)
    found = {c.person_id: c for c in Contact.objects.filter(case=world.case)}
    # Spouse and child close; the spouse's colleagues (the Chang'an one too) secondary.
    assert len(found) == 2 + 2 + WORKERS
    spouse = found[world.spouse.pk]
    for worker in workers:
        contact = found[worker.pk]
        assert (contact.degree, contact.source_contact_id) == ("secondary", spouse.pk)
        assert contact.last_exposure_at == NOW
    assert healthcode.colours_of([w.pk for w in workers]) == {w.pk: "yellow" for w in workers}
    assert HealthFact.objects.filter(kind=FactKind.SECONDARY_CONTACT).count() == 2 + WORKERS
    assert set(
        AuditEvent.objects.filter(action="contact.add").values_list("object_id", flat=True)
    ) == {str(c.pk) for c in found.values()}
    assert figure("130109", "contacts_found") == len(found) - 1
    assert figure("130102", "contacts_found") == 1
    assert figure("130100", "contacts_open") == len(found)
    referral = Referral.objects.get()
    assert (referral.contact.person_id, referral.region_id) == (
        world.changan_colleague.pk,
        "130102",
    )


def test_refreshing_again_writes_nothing_more(world):
    mill_workers(world)
    contacts.refresh_for_case(world.case, now=NOW)
    written = (
        Contact.objects.count(),
        HealthFact.objects.count(),
        AuditEvent.objects.count(),
        PriorityTest.objects.count(),
        Referral.objects.count(),
        figure("130100", "contacts_found"),
    )
    contacts.refresh_for_case(world.case, now=NOW)
    assert (
        Contact.objects.count(),
        HealthFact.objects.count(),
        AuditEvent.objects.count(),
        PriorityTest.objects.count(),
        Referral.objects.count(),
        figure("130100", "contacts_found"),
    ) == written


def test_a_secondary_contact_named_close_later_turns_red_and_is_listed_once(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    contact = contacts.add_contact(
        gaocheng_epi,
        world.case,
        world.colleague,
        degree="close",
        setting="workplace",
        last_exposure_at=local(19, 12),
        now=later(1),
    )
    assert (contact.degree, contact.source_contact, contact.found_by) == (
        "close",
        None,
        "interview",
    )
    assert contact.last_exposure_at == NOW  # the later exposure stays
    open_kinds = HealthFact.objects.filter(person=world.colleague, ended_at__isnull=True)
    assert list(open_kinds.values_list("kind", flat=True)) == [FactKind.CLOSE_CONTACT]
    assert healthcode.current(world.colleague).colour == "red"
    assert PriorityTest.objects.filter(person=world.colleague).count() == 1
    assert AuditEvent.objects.filter(action="contact.update", object_id=str(contact.pk)).exists()
    assert figure("130100", "contacts_found") == 4  # no second count for the same person


def test_a_close_contact_already_waiting_for_a_test_is_not_listed_again(world):
    PriorityTest.objects.create(
        person=world.spouse,
        region_id=world.spouse.region_id,
        reason="checkpoint_fever",
        source_key="passage:earlier",
        listed_at=local(20, 8),
        deadline=local(20, 20),
    )
    contacts.refresh_for_case(world.case, now=NOW)
    assert list(PriorityTest.objects.filter(person=world.spouse).values_list("source_key")) == [
        ("passage:earlier",)
    ]
    assert PriorityTest.objects.filter(person=world.child, reason="close_contact").count() == 1
