"""A lab's batch of suspected cases is investigated as one follow-up over the set: the same
visits, contacts, referrals, facts, listings and clusters as the cases investigated one
after another, each case's follow-up row showing its state, and the work done once however
often the batch's task is delivered."""

import pytest
from django.db import transaction

from epicommand.control.models import HealthFact
from epicommand.core import followups
from epicommand.core.models import AuditEvent, FollowUp
from epicommand.places.models import Venue
from epicommand.testing.models import PriorityTest
from epicommand.tracing import tasks
from epicommand.tracing.models import Case, Contact, Referral, Visit
from epicommand.tracing.services.cases import INVESTIGATION

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW, local, make_case, make_person, scan


class Undo(Exception):
    pass


@pytest.fixture
def batch(world):
    """Three cases found together: the patient (Gaocheng, a market visit), his spouse (a
    mill worker with a Chang'an colleague) and the Chang'an shopper, who scanned at the
    market and works at a Chang'an shop with two colleagues."""
    shop = Venue.objects.create(
        name="建北商店",
        kind=Venue.Kind.SUPERMARKET,
        address="建北街道 2 号",
        region=world.city.street,
        latitude=38.04,
        longitude=114.5,
    )
    world.changan_shopper.workplace = shop
    world.changan_shopper.save(update_fields=["workplace"])
    for n in range(2):
        make_person(f"店员{n}", world.city.community, workplace=shop)
    scan(world.spouse, world.mill, local(18, 9))
    return [world.case, make_case(world.spouse), make_case(world.changan_shopper)]


def outcome(cases) -> dict:
    """What the investigations left, by natural keys (row ids differ between runs)."""
    ids = [c.pk for c in cases]
    contacts = Contact.objects.filter(case_id__in=ids)
    person_of = dict(contacts.values_list("pk", "person_id"))
    return {
        "visits": sorted(
            Visit.objects.filter(case_id__in=ids).values_list(
                "case_id", "origin", "status", "source_key", "started_at", "ended_at", "venue_id"
            )
        ),
        "contacts": sorted(
            (c.case_id, c.person_id, c.degree, c.setting, c.found_by, c.last_exposure_at)
            + (person_of.get(c.source_contact_id), c.status, c.control_deadline)
            for c in contacts
        ),
        "referrals": sorted(
            Referral.objects.filter(case_id__in=ids).values_list(
                "case_id", "contact__person_id", "region_id", "from_region_id", "degree"
            )
        ),
        "facts": sorted(
            HealthFact.objects.values_list("person_id", "kind", "started_at", "ended_at")
        ),
        "listed": sorted(PriorityTest.objects.values_list("person_id", "reason")),
        "clusters": sorted(
            sorted(Case.objects.filter(cluster_id=k).values_list("pk", flat=True))
            for k in set(Case.objects.filter(pk__in=ids).values_list("cluster_id", flat=True))
            if k is not None
        ),
        "audited": sorted(AuditEvent.objects.values_list("action", "region_id")),
    }


def test_a_batch_finds_what_the_cases_one_by_one_find(batch):
    with pytest.raises(Undo), transaction.atomic():
        for case in batch:
            tasks.investigate_cases([case.pk], NOW)
        one_by_one = outcome(batch)
        raise Undo
    tasks.investigate_cases([case.pk for case in batch], NOW)
    together = outcome(batch)
    assert together == one_by_one
    # And there is something to compare: each rule found someone.
    assert {c[4] for c in together["contacts"]} >= {"household", "workplace"}
    assert together["referrals"] and together["visits"]
    assert together["clusters"] == [sorted(c.pk for c in batch[:2])]


def test_the_batch_is_one_task_and_each_case_shows_its_follow_up(
    batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        followups.after_commit_many(INVESTIGATION, batch, changed_at=NOW)
    assert len(queued) == 1
    for case in batch:
        followup = followups.latest_for(case)
        assert (followup.kind, followup.state) == (INVESTIGATION, "done")
    assert Contact.objects.filter(case=batch[1], person=batch[0].person).exists()


def test_the_batch_task_delivered_twice_does_the_work_once(
    batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        followups.after_commit_many(INVESTIGATION, batch, changed_at=NOW)
    rows = list(FollowUp.objects.order_by("pk").values_list("pk", flat=True))
    # One case's row is taken by a single task first (a retry, say): the batch leaves it.
    assert followups.run_followup.call(rows[0]) == "done"
    first = Contact.objects.filter(case=batch[0]).count()
    assert followups.run_followups.call(rows) == "done"
    written = (Contact.objects.count(), AuditEvent.objects.filter(action="contact.add").count())
    assert followups.run_followups.call(rows) == "taken"  # replayed by the queue
    assert (
        Contact.objects.count(),
        AuditEvent.objects.filter(action="contact.add").count(),
    ) == written
    assert Contact.objects.filter(case=batch[0]).count() == first > 0
    assert set(FollowUp.objects.values_list("state", flat=True)) == {"done"}
    assert len(queued) == 1
