"""Scoped reads of cases and trajectories. Every read starts from `visible_to(who)`: a case
outside the reader's jurisdiction is 404. Lists page by key (id, newest first) and flag
each case whose investigation has a milestone overdue, or that awaits an epidemiologist."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone

from epicommand.core.access import typed_region_q
from epicommand.core.keyset import parse_cursor
from epicommand.people.models import Person

from .. import milestones
from ..models import Case, Classification, ClassificationChange, Visit

PAGE_SIZE = 50
MAX_PAGE = 500


@dataclass
class CaseFilter:
    classification: str = ""  # a classification, or "confirmed" for any confirmed one
    overdue: bool = False
    awaiting_epidemiologist: bool = False
    region: str | None = None
    open_only: bool = False
    # The dashboard's figures link here: the cases reported on a day, or with onset on it.
    reported: date | None = None
    onset: date | None = None


def visible_case(who, case_id) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(who).select_related(
            "person", "person__household", "region", "epidemiologist"
        ),
        pk=parse_cursor(case_id) or 0,
    )


def visible_visit(who, case: Case, visit_id) -> Visit:
    return get_object_or_404(
        Visit.objects.visible_to(who).filter(case=case), pk=parse_cursor(visit_id) or 0
    )


def case_page(
    who, filters: CaseFilter, *, after=None, limit: int = PAGE_SIZE, now: datetime | None = None
) -> tuple[list[Case], int | None]:
    """One page of the cases `who` sees, newest first; each row carries `overdue` and
    `awaiting_epidemiologist`."""
    now = now or timezone.now()
    rows = Case.objects.visible_to(who).select_related("person", "region", "epidemiologist")
    if filters.classification == "confirmed":
        rows = rows.exclude(
            classification__in=(Classification.SUSPECTED, Classification.ASYMPTOMATIC)
        )
    elif filters.classification in Classification.values:
        rows = rows.filter(classification=filters.classification)
    if filters.overdue:
        rows = rows.filter(milestones.overdue_q(now))
    if filters.awaiting_epidemiologist:
        rows = rows.filter(milestones.awaiting_epidemiologist_q())
    if filters.open_only:
        rows = rows.filter(outcome="")
    if filters.reported:
        start = timezone.make_aware(datetime.combine(filters.reported, time.min))
        rows = rows.filter(reported_at__gte=start, reported_at__lt=start + timedelta(days=1))
    if filters.onset:
        rows = rows.filter(onset_date=filters.onset)
    rows = rows.filter(typed_region_q(filters.region, "region_id"))
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__lt=cursor)
    limit = max(1, min(limit, MAX_PAGE))
    found = list(rows.order_by("-id")[: limit + 1])
    page = found[:limit]
    for case in page:
        case.overdue = milestones.is_overdue(case, now=now)
        case.awaiting_epidemiologist = milestones.awaiting_epidemiologist(case)
    return page, found[limit - 1].pk if len(found) > limit else None


def awaiting_epidemiologist_count(user) -> int:
    """The navigation's badge on Cases: open cases in the user's jurisdiction that nobody
    investigates yet (a small set: it empties as cases are assigned)."""
    return Case.objects.visible_to(user).filter(milestones.awaiting_epidemiologist_q()).count()


def history(case: Case) -> list[ClassificationChange]:
    return list(ClassificationChange.objects.filter(case=case).select_related("changed_by"))


def visits(case: Case, *, include_removed: bool = True) -> list[Visit]:
    rows = Visit.objects.filter(case=case).select_related("venue", "checkpoint")
    if not include_removed:
        rows = rows.exclude(status=Visit.Status.REMOVED)
    return list(rows.order_by("started_at", "id"))


def visits_by_day(rows: list[Visit]) -> list[tuple]:
    """[(local date, [visits])] in time order: the timeline table."""
    days: dict = {}
    for visit in rows:
        days.setdefault(timezone.localtime(visit.started_at).date(), []).append(visit)
    return list(days.items())


def map_points(rows: list[Visit]) -> list[dict]:
    """The visits with coordinates, for the ECharts scatter (removed ones left out)."""
    return [
        {
            "name": v.venue.name
            if v.venue_id
            else (v.checkpoint.name if v.checkpoint_id else v.address),
            "value": [v.longitude, v.latitude],
            "at": timezone.localtime(v.started_at).strftime("%m-%d %H:%M"),
            "status": v.status,
            "origin": v.origin,
        }
        for v in rows
        if v.latitude is not None and v.longitude is not None and v.status != Visit.Status.REMOVED
    ]


def person_for_case(who, person_id) -> Person | None:
    """The person a case is registered for, among those `who` sees, by id (by ID number:
    people.lookup.find_by_document). None when there is no such person in the
    jurisdiction."""
    return Person.objects.visible_to(who).filter(pk=parse_cursor(person_id) or 0).first()
