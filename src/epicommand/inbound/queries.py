"""Scoped reads of inbound travellers: the county's arrivals, the closed-loop board (each
traveller's stage and late handovers, by key), the handovers addressed to a unit, the
flights with their positives and the breaker's status."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from epicommand.core.access import typed_region_q

from .models import OPEN_STAGES, Arrival, Flight, Handover, LoopAlarm, Stage, Suspension

PAGE = 50


def arrivals_of(who):
    return Arrival.objects.visible_to(who)


def arrival_page(who, *, region: str = "", stage: str = "", after: int = 0, limit: int = PAGE):
    rows = arrivals_of(who).filter(typed_region_q(region, "region_id"))
    if stage in Stage.values:
        rows = rows.filter(stage=stage)
    rows = rows.filter(pk__gt=after).select_related("flight", "region").order_by("pk")[: limit + 1]
    rows = list(rows)
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


@dataclass
class Board:
    rows: list
    next_after: int | None
    by_stage: dict[str, int]
    late_count: int


def loop_board(
    who,
    *,
    region: str = "",
    late_only: bool = False,
    after: int = 0,
    limit: int = PAGE,
    now: datetime | None = None,
) -> Board:
    """Travellers in the closed loop, each with its stage and whether a handover of theirs
    is late; the counts by stage come from the same scoped rows (one grouped query)."""
    now = now or timezone.now()
    base = arrivals_of(who).filter(typed_region_q(region, "region_id"), stage__in=OPEN_STAGES)
    late = Handover.objects.filter(
        arrival=OuterRef("pk"), acknowledged_at__isnull=True, due_at__lt=now
    )
    alarmed = LoopAlarm.objects.filter(arrival=OuterRef("pk"), resolved_at__isnull=True)
    rows = base.annotate(late=Exists(late), alarmed=Exists(alarmed))
    if late_only:
        rows = rows.filter(Q(late=True) | Q(alarmed=True))
    page = list(rows.filter(pk__gt=after).select_related("region").order_by("pk")[: limit + 1])
    counts = dict(base.order_by().values_list("stage").annotate(n=Count("pk")))
    late_count = (
        LoopAlarm.objects.visible_to(who)
        .filter(typed_region_q(region, "region_id"), resolved_at__isnull=True)
        .count()
    )
    return Board(
        page[:limit],
        page[limit - 1].pk if len(page) > limit else None,
        {s: counts.get(s, 0) for s in OPEN_STAGES},
        late_count,
    )


def handovers_to(who, *, unit_id: int | None):
    """The handovers addressed to the user's unit and not yet acknowledged, oldest first."""
    return (
        Handover.objects.visible_to(who)
        .filter(to_unit_id=unit_id, acknowledged_at__isnull=True)
        .select_related("arrival", "site", "to_unit")
        .order_by("due_at", "pk")[:200]
    )


def open_alarms(who):
    return (
        LoopAlarm.objects.visible_to(who)
        .filter(resolved_at__isnull=True)
        .select_related("arrival", "unit")
        .order_by("raised_at", "pk")[:200]
    )


def flights_with_positives(who, *, since: date, until: date):
    """Flights of the port in these days, each with its passengers and positives."""
    return (
        Flight.objects.visible_to(who)
        .filter(arrival_date__gte=since, arrival_date__lte=until)
        .select_related("route")
        .annotate(
            passengers=Count("arrivals", filter=Q(arrivals__is_crew=False)),
            positives=Count("arrivals", filter=Q(arrivals__positive_at__isnull=False)),
        )
        .order_by("-arrival_date", "number")
    )


def suspensions(*, statuses=None):
    rows = Suspension.objects.select_related("route", "flight").order_by("-proposed_at")
    return rows.filter(status__in=statuses) if statuses else rows
