"""The investigation's milestones (on site, core investigation, completed) and their policy
deadlines, counted from the assignment (or the report when nobody is assigned yet). Read by
the case services, which record the milestones, and by the case lists and pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from epicommand.core import policy

from .models import Case, Outcome

MILESTONES = ("on_site", "core", "completed")
MILESTONE_FIELDS = {"on_site": "on_site_at", "core": "core_done_at", "completed": "completed_at"}
MILESTONE_NAMES = {
    "on_site": gettext_lazy("Epidemiologist on site"),
    "core": gettext_lazy("Core investigation done"),
    "completed": gettext_lazy("Investigation completed"),
}


@dataclass(frozen=True)
class Deadline:
    milestone: str
    name: str
    due_at: datetime
    done_at: datetime | None
    overdue: bool  # not reached and past due
    late: bool  # reached, but after the deadline


def deadlines(case: Case, *, now: datetime | None = None) -> list[Deadline]:
    """Each milestone's policy deadline, counted from the assignment (or the report when
    nobody is assigned yet), and whether it is overdue."""
    now = now or timezone.now()
    start = case.assigned_at or case.reported_at
    edition = policy.active()
    hours = {
        "on_site": edition.investigation_on_site_hours,
        "core": edition.investigation_core_hours,
        "completed": edition.investigation_complete_hours,
    }
    rows = []
    for milestone in MILESTONES:
        due = start + timedelta(hours=hours[milestone])
        done = getattr(case, MILESTONE_FIELDS[milestone])
        rows.append(
            Deadline(
                milestone,
                str(MILESTONE_NAMES[milestone]),
                due,
                done,
                overdue=done is None and due < now and _investigated(case),
                late=done is not None and done > due,
            )
        )
    return rows


def _investigated(case: Case) -> bool:
    # A case ruled out needs no investigation any more.
    return case.outcome != Outcome.RULED_OUT


def is_overdue(case: Case, *, now: datetime | None = None) -> bool:
    return any(d.overdue for d in deadlines(case, now=now))


def overdue_q(now: datetime | None = None) -> Q:
    """The cases with a milestone overdue, as a filter on a queryset annotated by
    `with_deadline_start` (the list pages filter on it)."""
    now = now or timezone.now()
    edition = policy.active()
    late = {
        "on_site_at": edition.investigation_on_site_hours,
        "core_done_at": edition.investigation_core_hours,
        "completed_at": edition.investigation_complete_hours,
    }
    q = Q()
    for field, hours in late.items():
        q |= Q(**{f"{field}__isnull": True, "deadline_start__lt": now - timedelta(hours=hours)})
    return q & ~Q(outcome=Outcome.RULED_OUT)


def with_deadline_start(queryset):
    return queryset.annotate(deadline_start=Coalesce("assigned_at", "reported_at"))
