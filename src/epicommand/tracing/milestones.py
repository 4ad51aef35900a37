"""The investigation's milestones (on site, core investigation, completed) and their policy
deadlines, counted from the assignment. An open case nobody was assigned to has no clock
yet: it is its own alarm to the county ("awaiting an epidemiologist"), on the case list,
in the navigation's badge and in the API. Read by the case services, which record the
milestones, and by the case lists and pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
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
    due_at: datetime | None  # None until somebody is assigned
    done_at: datetime | None
    overdue: bool  # not reached and past due
    late: bool  # reached, but after the deadline


def deadlines(case: Case, *, now: datetime | None = None) -> list[Deadline]:
    """Each milestone's policy deadline, counted from the assignment (none before it), and
    whether it is overdue."""
    now = now or timezone.now()
    start = case.assigned_at
    edition = policy.active()
    hours = {
        "on_site": edition.investigation_on_site_hours,
        "core": edition.investigation_core_hours,
        "completed": edition.investigation_complete_hours,
    }
    rows = []
    for milestone in MILESTONES:
        due = start and start + timedelta(hours=hours[milestone])
        done = getattr(case, MILESTONE_FIELDS[milestone])
        rows.append(
            Deadline(
                milestone,
                str(MILESTONE_NAMES[milestone]),
                due,
                done,
                overdue=due is not None and done is None and due < now and _investigated(case),
                late=due is not None and done is not None and done > due,
            )
        )
    return rows


def _investigated(case: Case) -> bool:
    # A case ruled out needs no investigation any more.
    return case.outcome != Outcome.RULED_OUT


def is_overdue(case: Case, *, now: datetime | None = None) -> bool:
    return any(d.overdue for d in deadlines(case, now=now))


def awaiting_epidemiologist(case: Case) -> bool:
    """An open case nobody investigates yet: the county's alarm, before any clock runs."""
    return case.epidemiologist_id is None and not case.outcome


def awaiting_epidemiologist_q() -> Q:
    return Q(epidemiologist__isnull=True, outcome="")


def overdue_q(now: datetime | None = None) -> Q:
    """The cases with a milestone overdue (the list pages filter on it)."""
    now = now or timezone.now()
    edition = policy.active()
    late = {
        "on_site_at": edition.investigation_on_site_hours,
        "core_done_at": edition.investigation_core_hours,
        "completed_at": edition.investigation_complete_hours,
    }
    q = Q()
    for field, hours in late.items():
        q |= Q(**{f"{field}__isnull": True, "assigned_at__lt": now - timedelta(hours=hours)})
    return q & ~Q(outcome=Outcome.RULED_OUT)
