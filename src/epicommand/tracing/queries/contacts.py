"""Scoped reads of contacts and co-presence candidates.

A contact is the contacted person's record: scoped by the contact's region, so the county
that must control them sees them (the investigating county sees the ones in its scope and
the others through its referrals). Candidates are the investigation's working list: seen
through the case (whoever may see the case may see who was where the case was), with IDs
and phones masked. Lists page by key; "overdue" is open and past the control deadline,
answered from the (status, control_deadline) index."""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import CLOSENESS, OPEN_CONTACT_STATUSES, Candidate, Case, Contact

PAGE_SIZE = 50
# A case's panel lists at most this many of each; the citywide list pages the rest.
PANEL_LIMIT = 200
CONTACT_RELATED = ("person", "region", "case", "case__person", "venue", "source_contact")


def overdue_q(now: datetime) -> Q:
    return Q(status__in=OPEN_CONTACT_STATUSES, control_deadline__lt=now)


def visible_case(who, case_id: int) -> Case:
    return get_object_or_404(Case.objects.visible_to(who).select_related("person"), pk=case_id)


def visible_contact(who, contact_id: int) -> Contact:
    rows = Contact.objects.visible_to(who).select_related(*CONTACT_RELATED)
    return get_object_or_404(rows, pk=contact_id)


def visible_candidate(who, candidate_id: int) -> Candidate:
    cases = Case.objects.visible_to(who).values("pk")
    rows = Candidate.objects.filter(case_id__in=cases).select_related(
        "person", "case", "venue", "region"
    )
    return get_object_or_404(rows, pk=candidate_id)


def contact_page(
    who,
    *,
    case_id: int | None = None,
    degree: str = "",
    status: str = "",
    overdue: bool = False,
    region: str = "",
    after: int | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
):
    """Contacts in the caller's jurisdiction, newest first, one keyset page:
    (rows, the cursor of the next page or None)."""
    qs = Contact.objects.visible_to(who)
    if region:
        qs = qs.in_region(region)
    if case_id:
        qs = qs.filter(case_id=case_id)
    if degree:
        qs = qs.filter(degree=degree)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q(now or timezone.now()))
    if after:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.select_related(*CONTACT_RELATED).order_by("-id")[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


def case_contacts(who, case: Case) -> list[Contact]:
    """The contacts of one case the caller may see: closest first, then newest."""
    closeness = models.Case(
        *(models.When(degree=d, then=models.Value(n)) for d, n in CLOSENESS.items()),
        output_field=models.IntegerField(),
    )
    rows = Contact.objects.visible_to(who).filter(case=case).select_related(*CONTACT_RELATED)
    return list(rows.order_by(closeness, "-id")[:PANEL_LIMIT])


def case_candidates(case: Case, *, status: str = Candidate.Status.PENDING) -> list[Candidate]:
    """A case's candidates, longest overlap first (the caller has the case in scope)."""
    rows = Candidate.objects.filter(case=case, status=status).select_related("person", "venue")
    return list(rows.order_by("-overlap_minutes", "-last_overlap_at", "person_id")[:PANEL_LIMIT])


def mark_overdue(contacts, now: datetime | None = None) -> None:
    """Set `.overdue` on each row for the templates and the API."""
    now = now or timezone.now()
    for contact in contacts:
        contact.overdue = contact.status in OPEN_CONTACT_STATUSES and contact.control_deadline < now
