"""A case's follow-ups (trajectory, contacts, referrals, cluster) run once, after the
registration commits, and the epidemiologist who registered it sees how far they are."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from epicommand.core import followups
from epicommand.core.models import AuditEvent, FollowUp
from epicommand.tracing.models import Candidate, Contact, Referral, Visit
from epicommand.tracing.services import contacts, trajectory
from epicommand.tracing.services.cases import register_case
from tests.conftest import login

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW, ONSET


class Refused(Exception):
    pass


def register(actor, person):
    return register_case(
        actor, person, classification="mild", detection_route="report", onset_date=ONSET, now=NOW
    )


def test_nothing_follows_before_the_registration_commits(
    world, gaocheng_epi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as waiting:
        case = register(gaocheng_epi, world.child)
        assert not Contact.objects.filter(case=case).exists()
        assert not Visit.objects.filter(case=case).exists()
    assert len(waiting) == 1
    assert FollowUp.objects.get(subject=f"tracing.case:{case.pk}").state == "pending"
    waiting[0]()  # the commit
    found = {c.person_id: c.degree for c in Contact.objects.filter(case=case)}
    assert found[world.spouse.pk] == found[world.patient.pk] == "close"
    assert found[world.changan_colleague.pk] == "secondary"
    assert Referral.objects.filter(contact__case=case).count() == 1  # she lives in Chang'an
    assert Visit.objects.filter(case=case, origin="home").exists()
    assert FollowUp.objects.get(subject=f"tracing.case:{case.pk}").state == "done"


def test_a_rolled_back_registration_leaves_no_contacts_and_no_task(
    world, gaocheng_epi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as waiting:
        with pytest.raises(Refused), transaction.atomic():
            register(gaocheng_epi, world.child)
            raise Refused  # something later in the same request fails
    assert waiting == []
    assert not FollowUp.objects.exists()
    assert not Contact.objects.filter(person=world.spouse).exists()


def test_a_task_run_twice_does_the_work_once(
    world, gaocheng_epi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = register(gaocheng_epi, world.child)
    followup = FollowUp.objects.get(subject=f"tracing.case:{case.pk}")
    contacts = Contact.objects.filter(case=case).count()
    added = AuditEvent.objects.filter(action="contact.add").count()
    assert followups.run_followup.call(followup.pk) == "taken"  # replayed by the queue
    assert Contact.objects.filter(case=case).count() == contacts > 0
    assert AuditEvent.objects.filter(action="contact.add").count() == added
    assert FollowUp.objects.get(pk=followup.pk).finished_at is not None


# Committed for real: the worker's loop closes a connection left inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_does_it_and_the_case_page_and_api_show_it(world, gaocheng_epi, database_tasks):
    case = register(gaocheng_epi, world.child)
    (queued,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert queued.task_path == followups.run_followup.module_path
    client = login(gaocheng_epi)
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "trajectory, contacts, referrals and cluster: waiting for the worker since" in page
    api = client.get(f"/api/v1/cases/{case.pk}").json()["followup"]
    assert (api["state"], api["finished_at"]) == ("pending", None)
    assert not Contact.objects.filter(case=case).exists()

    call_command("db_worker", "--batch", verbosity=0)

    assert Contact.objects.filter(case=case, person=world.spouse).exists()
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "trajectory, contacts, referrals and cluster: done at" in page
    api = client.get(f"/api/v1/cases/{case.pk}").json()["followup"]
    assert api["state"] == "done" and api["finished_at"] is not None


def test_a_visit_removed_takes_its_candidates_away_after_commit(
    world, gaocheng_epi, django_capture_on_commit_callbacks
):
    contacts.refresh_for_case(world.case, now=NOW)
    assert Candidate.objects.filter(case=world.case, person=world.shopper).exists()
    with django_capture_on_commit_callbacks(execute=True) as waiting:
        trajectory.remove_visit(gaocheng_epi, world.visit, now=NOW)
        assert Candidate.objects.filter(case=world.case, person=world.shopper).exists()
    assert len(waiting) == 1
    assert not Candidate.objects.filter(case=world.case, person=world.shopper).exists()
    followup = followups.latest_for(world.case)
    assert (followup.kind, followup.state) == ("case.contacts", "done")
