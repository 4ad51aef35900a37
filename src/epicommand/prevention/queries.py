"""Reads of routine prevention, scoped to the asking user: the units (due first), a unit's
history, the rectifications board (the most urgent first), the disinfection tasks, and
the links between units and tracing's clusters (through the places on the clusters'
cases' trajectories). Lists page by key: (time, id) cursors given as the last row's id."""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from epicommand.core import policy
from epicommand.core.access import typed_region_q
from epicommand.tracing.models import Case, Cluster, Visit

from .models import (
    DisinfectionRecord,
    DisinfectionTask,
    Inspection,
    KeyStaff,
    PreventionUnit,
    Rectification,
)

PAGE = 50
HISTORY = 30
BOARD_FIELDS = (
    "unit__name",
    "region_id",
    "items",
    "responsible_name",
    "responsible_phone",
    "opened_at",
    "deadline",
    "status",
    "escalated_at",
    "closed_at",
)


def _after(rows, model, after: int | None, field: str):
    """Rows after the row `after` in (field, id) order (a keyset cursor by id)."""
    if not after:
        return rows
    anchor = model.objects.filter(pk=after).values_list(field, flat=True).first()
    if anchor is None:
        return rows.none()
    return rows.filter(Q(**{f"{field}__gt": anchor}) | Q(**{field: anchor, "pk__gt": after}))


def unit_page(
    who,
    *,
    after: int | None = None,
    category: str = "",
    due: bool = False,
    region: str = "",
    now: datetime | None = None,
):
    """A page of the caller's units, the soonest due first; `due`: only those due now."""
    rows = PreventionUnit.objects.visible_to(who).filter(typed_region_q(region, "region_id"))
    if category:
        rows = rows.filter(category=category)
    if due:
        rows = rows.filter(next_due_at__lte=now or timezone.now())
    rows = _after(rows, PreventionUnit, after, "next_due_at")
    return list(rows.select_related("region", "venue").order_by("next_due_at", "pk")[:PAGE])


def unit_history(unit: PreventionUnit) -> list[Inspection]:
    return list(
        Inspection.objects.filter(unit=unit)
        .select_related("inspector")
        .prefetch_related("photos")
        .order_by("-inspected_at", "-pk")[:HISTORY]
    )


def rectifications_of(unit: PreventionUnit) -> list[Rectification]:
    return list(Rectification.objects.filter(unit=unit).order_by("-opened_at", "-pk")[:HISTORY])


def rectification_board(
    who,
    *,
    after: int | None = None,
    overdue: bool = False,
    status: str = "open",
    region: str = "",
    now: datetime | None = None,
):
    """The caller's rectifications, the nearest deadline first (overdue ones lead)."""
    rows = Rectification.objects.visible_to(who).filter(typed_region_q(region, "region_id"))
    if status in Rectification.Status.values:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(deadline__lt=now or timezone.now())
    rows = _after(rows, Rectification, after, "deadline").select_related("unit")
    # What the board shows: each datetime column read costs a conversion a row on SQLite.
    rows = rows.only(*BOARD_FIELDS)
    return list(rows.order_by("deadline", "pk")[:PAGE])


def disinfection_tasks(who, *, after: int | None = None, status: str = "open", region: str = ""):
    rows = DisinfectionTask.objects.visible_to(who).filter(typed_region_q(region, "region_id"))
    if status in DisinfectionTask.Status.values:
        rows = rows.filter(status=status)
    rows = _after(rows, DisinfectionTask, after, "deadline")
    return list(rows.select_related("assignee", "case").order_by("deadline", "pk")[:PAGE])


def disinfection_records(who, *, limit: int = PAGE):
    return list(
        DisinfectionRecord.objects.visible_to(who)
        .select_related("recorded_by")
        .order_by("-done_at", "-pk")[:limit]
    )


def clusters_of_unit(who, unit: PreventionUnit) -> list[Cluster]:
    """The clusters (the caller may see) whose cases' trajectories pass through the unit's
    place: what the unit's page shows next to its score."""
    if unit.venue_id is None:
        return []
    cluster_ids = (
        Case.objects.filter(
            cluster__isnull=False,
            pk__in=Visit.objects.filter(venue_id=unit.venue_id)
            .exclude(status=Visit.Status.REMOVED)
            .values("case_id"),
        )
        .values("cluster_id")
        .distinct()
    )
    return list(Cluster.objects.visible_to(who).filter(pk__in=cluster_ids).order_by("-pk")[:20])


def units_of_cluster(who, cluster: Cluster) -> list[PreventionUnit]:
    """The units (the caller may see) at the places of the cluster's cases' trajectories,
    with their score and the latest inspections."""
    venues = (
        Visit.objects.filter(case__cluster=cluster, venue__isnull=False)
        .exclude(status=Visit.Status.REMOVED)
        .values("venue_id")
    )
    return list(
        PreventionUnit.objects.visible_to(who)
        .filter(venue_id__in=venues)
        .select_related("region")
        .order_by("score", "pk")[:100]
    )


def category_names() -> dict[str, str]:
    return {c.code: c.name for c in policy.active().prevention.categories}


def staff_page(who, *, after: int | None = None, overdue: bool = False, unit_id=None):
    """The caller's key staff, the soonest due first; `overdue`: only those overdue."""
    rows = KeyStaff.objects.visible_to(who)
    if overdue:
        rows = rows.filter(overdue_since__isnull=False)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    rows = _after(rows, KeyStaff, after, "next_due_at")
    return list(rows.select_related("person", "unit").order_by("next_due_at", "pk")[:PAGE])


def position_names() -> dict[str, str]:
    return {p.code: p.name for p in policy.active().prevention.key_positions}
