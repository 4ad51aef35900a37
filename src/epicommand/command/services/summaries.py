"""The daily summary per county and for the city (`generate_daily_summary`).

The summary counts tasks and emergency reports in their tables (they are small, and the
overdue items are listed by name anyway); person figures come from the counters, since
counting a city's persons by day would scan millions of rows. A module adds its own figures
to SUMMARY_FIGURES, one entry each."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from epicommand.core import audit, counters
from epicommand.core.access import region_q
from epicommand.core.models import Region

from ..models import DailySummary, EmergencyReport, ResponsiblePerson, Task

CLOSED_TASK = (Task.Status.DONE, Task.Status.CANCELLED)
# A summary lists at most this many overdue tasks by name; its figures count all of them.
MAX_LISTED_OVERDUE = 500


def open_tasks() -> QuerySet:
    return Task.objects.exclude(status__in=CLOSED_TASK)


# Daily summary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """What a summary covers: a region (by its code), one Asia/Shanghai day, and the
    moment it was generated (what is overdue is overdue then)."""

    region_code: str
    day: date
    start: datetime
    end: datetime
    now: datetime

    @classmethod
    def of(cls, region_code: str, day: date, now: datetime) -> "Span":
        start = datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())
        return cls(region_code, day, start, start + timedelta(days=1), now)

    def in_range(self, field: str = "region") -> Q:
        return region_q(self.region_code, field)


@dataclass(frozen=True)
class SummaryFigure:
    """One figure of the summary. `count` returns {counter region code: value} for the
    county and city counters inside the span (see counters.counter_regions)."""

    key: str
    label: Promise
    module: str
    count: Callable[[Span], dict[str, int]]


def _folded(rows: QuerySet, span: Span) -> dict[str, int]:
    found: dict[str, int] = {}
    grouped = rows.filter(span.in_range()).order_by().values_list("region_id")
    for region_id, n in grouped.annotate(n=Count("pk")):
        for code in counters.counter_regions(region_id):
            found[code] = found.get(code, 0) + n
    return found


def _during(field: str, span: Span) -> Q:
    return Q(**{f"{field}__gte": span.start, f"{field}__lt": span.end})


def _tasks_overdue(span: Span) -> QuerySet:
    return open_tasks().filter(deadline__lt=span.now)


def _from_counters(metric: str) -> Callable[[Span], dict[str, int]]:
    def count(span: Span) -> dict[str, int]:
        codes = list(
            Region.objects.filter(span.in_range("code"))
            .filter(level__in=(Region.Level.CITY, Region.Level.COUNTY))
            .values_list("code", flat=True)
        )
        if metric in counters.STOCK_METRICS:
            values = counters.latest_values(codes, [metric], span.day)
            return {code: n for (code, _m), n in values.items()}
        values = counters.daily_values(codes, [metric], span.day, span.day)
        return {code: n for (code, _m, _d), n in values.items()}

    return count


SUMMARY_FIGURES: tuple[SummaryFigure, ...] = (
    SummaryFigure(
        "tasks_assigned",
        _("Tasks assigned"),
        "command",
        lambda s: _folded(Task.objects.filter(_during("created_at", s)), s),
    ),
    SummaryFigure(
        "tasks_done",
        _("Tasks done"),
        "command",
        lambda s: _folded(
            Task.objects.filter(_during("completed_at", s), status=Task.Status.DONE), s
        ),
    ),
    SummaryFigure(
        "tasks_overdue",
        _("Tasks overdue"),
        "command",
        lambda s: _folded(_tasks_overdue(s), s),
    ),
    SummaryFigure("tasks_open", _("Tasks open"), "command", lambda s: _folded(open_tasks(), s)),
    SummaryFigure(
        "reports_filed",
        _("Emergency reports filed"),
        "command",
        lambda s: _folded(EmergencyReport.objects.filter(_during("filed_at", s)), s),
    ),
    SummaryFigure(
        "reports_open",
        _("Emergency reports open"),
        "command",
        lambda s: _folded(EmergencyReport.objects.exclude(status=EmergencyReport.Status.CLOSED), s),
    ),
    SummaryFigure(
        "persons_registered",
        _("Persons registered"),
        "people",
        _from_counters("persons_registered"),
    ),
    SummaryFigure("persons", _("Registered population"), "people", _from_counters("persons")),
)
FIGURE_LABELS = {f.key: f.label for f in SUMMARY_FIGURES}


def generate_daily_summary(
    day: date, region: Region, *, now: datetime | None = None, actor=None
) -> DailySummary:
    """The day's summary of the city or one county, stored (replacing an earlier one of the
    same region and day) and audited."""
    return _generate(day, region, [region], now=now, actor=actor)[0]


def generate_daily_summaries(day: date, *, now: datetime | None = None, actor=None):
    """The day's summaries of every city and each of its counties, counted once per city."""
    summaries = []
    for city in Region.objects.filter(level=Region.Level.CITY):
        counties = list(Region.objects.filter(parent=city, level=Region.Level.COUNTY))
        summaries += _generate(day, city, [city, *counties], now=now, actor=actor)
    return summaries


def _generate(day, top: Region, regions: list[Region], *, now, actor) -> list[DailySummary]:
    now = now or timezone.now()
    span = Span.of(top.code, day, now)
    values = {figure.key: figure.count(span) for figure in SUMMARY_FIGURES}
    overdue = _overdue_items(span)
    counties = sorted(
        Region.objects.filter(span.in_range("code"), level=Region.Level.COUNTY),
        key=lambda r: r.code,
    )
    summaries = []
    with transaction.atomic():
        for region in regions:
            figures = _figures(region, span, values, overdue, counties)
            summary, _created = DailySummary.objects.update_or_create(
                region=region, day=day, defaults={"generated_at": now, "figures": figures}
            )
            audit.record(actor, "summary.generate", summary, reason=day.isoformat())
            summaries.append(summary)
    return summaries


def _figures(region: Region, span: Span, values, overdue: list[dict], counties) -> dict:
    def of(code: str) -> dict[str, int]:
        return {key: found.get(code, 0) for key, found in values.items()}

    mine = [item for item in overdue if region.contains(item["region"])]
    figures = {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "day": span.day.isoformat(),
        "generated_at": timezone.localtime(span.now).isoformat(timespec="seconds"),
        "totals": of(region.code),
        "counties": [],
        "overdue": mine[:MAX_LISTED_OVERDUE],
        "overdue_not_listed": max(len(mine) - MAX_LISTED_OVERDUE, 0),
    }
    if region.level == Region.Level.CITY:
        rows = [{"code": c.code, "name": c.name, **of(c.code)} for c in counties]
        # Tasks given to the city's own departments belong to no county.
        own = {key: n - sum(row[key] for row in rows) for key, n in figures["totals"].items()}
        if any(own.values()):
            rows.append({"code": region.code, "name": str(_("City departments")), **own})
        figures["counties"] = rows
    return figures


def _overdue_items(span: Span) -> list[dict]:
    """Every overdue task in the span with whose it is: the assigned unit and its first
    responsible person. Oldest deadline first."""
    tasks = list(
        _tasks_overdue(span)
        .filter(span.in_range())
        .select_related("assignee", "region")
        .order_by("deadline", "id")
    )
    responsible = _first_responsible({t.assignee_id for t in tasks})
    return [
        {
            "task": t.pk,
            "title": t.title,
            "region": t.region_id,
            "region_name": t.region.name,
            "assignee": t.assignee.name,
            "responsible": responsible.get(t.assignee_id, ""),
            "deadline": timezone.localtime(t.deadline).isoformat(timespec="minutes"),
            "hours_overdue": int((span.now - t.deadline).total_seconds() // 3600),
        }
        for t in tasks
    ]


def _first_responsible(unit_ids: Iterable[int]) -> dict[int, str]:
    people = ResponsiblePerson.objects.filter(
        unit_id__in=list(unit_ids), duty=ResponsiblePerson.Duty.FIRST_RESPONSIBLE
    )
    return {p.unit_id: f"{p.name} ({p.post})" for p in people}
