"""Background work of tracing, run by `epicommand worker` (django-tasks).

Follow-ups (core.followups), after the change commits: a case registered gets its automatic
trajectory, its household and co-presence contacts (those living elsewhere referred) and its
cluster, and a lab's batch of suspected cases gets the same as one follow-up over the set; a
visit added, confirmed or removed brings the case's contacts up to date. This module is the
only one that calls the services in that direction (cases -> follow-ups -> trajectory,
contacts -> referrals, clusters), so none of them imports another backwards.

Referrals: every minute, post the external referrals whose delivery attempt is due to the
webhook and escalate the referrals past their acknowledgement deadline to the city office.
Each run queues the next before it ends (core.periodic), so one
`epicommand deliver-referrals --schedule` keeps it going; sites that prefer cron run
`epicommand deliver-referrals` every minute."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from epicommand.core import followups, periodic

from .models import Case
from .services import clusters, contacts, referrals, trajectory
from .services.cases import INVESTIGATION

REFERRAL_ROUND = periodic.Every(timedelta(minutes=1))


@followups.reaction(INVESTIGATION, _("trajectory, contacts, referrals and cluster"), many=True)
def investigate_cases(case_ids: list[int], changed_at) -> None:
    """What follows from cases registered together at `changed_at` (one by a user, or a
    lab's batch of suspected cases), as of then: the same as one case after another, in
    bulk reads and writes for the whole set."""
    cases = list(
        Case.objects.select_related("person__household", "person__workplace")
        .filter(pk__in=case_ids)
        .order_by("pk")
    )
    trajectory.fill_trajectories(cases, now=changed_at)
    contacts.refresh_for_cases(cases, now=changed_at)
    clusters.update_for([case.pk for case in cases], now=changed_at)


@followups.reaction(trajectory.CONTACTS, _("contacts from the trajectory"))
def refresh_contacts(case_id: int, changed_at) -> None:
    contacts.refresh_for_case(Case.objects.get(pk=case_id), now=changed_at)


def run_referrals(now=None) -> dict:
    """One round: {"delivered": n, "escalated": m}."""
    return {
        "delivered": referrals.deliver_due(now),
        "escalated": referrals.escalate_overdue(now),
    }


@periodic.recurring(REFERRAL_ROUND)
def deliver_referrals() -> dict:
    """Deliver and escalate what is due; the next round follows a minute later."""
    return run_referrals()
