"""The command's figures: rebuilding the dashboard counters from the tables (`recount`), and
the daily summary per county and for the city (`generate_daily_summary`).

The summary counts tasks and emergency reports in their tables (they are small, and the
overdue items are listed by name anyway); person figures come from the counters, since
counting a city's persons by day would scan millions of rows. Each module adds its own
figures to SUMMARY_FIGURES and its own counters to COUNTED, one entry each."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from epicommand.core import audit
from epicommand.core.access import region_q
from epicommand.core.models import Region
from epicommand.people.models import Person

from .. import counters
from ..models import Counter, DailySummary, EmergencyReport, ResponsiblePerson, Task

CLOSED_TASK = (Task.Status.DONE, Task.Status.CANCELLED)
# A summary lists at most this many overdue tasks by name; its figures count all of them.
MAX_LISTED_OVERDUE = 500


# Recount ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """How to count one metric from its table: the rows, and for a flow metric the time
    field that puts a row on its Asia/Shanghai day."""

    metric: str
    rows: Callable[[], QuerySet]
    day_field: str | None = None  # None: a stock metric, counted as it is now


def _open_tasks() -> QuerySet:
    return Task.objects.exclude(status__in=CLOSED_TASK)


COUNTED: list[Counted] = [
    Counted("persons", lambda: Person.objects.all()),
    Counted("persons_registered", lambda: Person.objects.all(), "created_at"),
    Counted("tasks_issued", lambda: Task.objects.all(), "created_at"),
    Counted("tasks_done", lambda: Task.objects.filter(status=Task.Status.DONE), "completed_at"),
    Counted("tasks_open", _open_tasks),
    Counted("tasks_overdue", lambda: _open_tasks().filter(overdue_noted_at__isnull=False)),
    Counted("reports_filed", lambda: EmergencyReport.objects.all(), "filed_at"),
    Counted(
        "reports_open",
        lambda: EmergencyReport.objects.exclude(status=EmergencyReport.Status.CLOSED),
    ),
]


def recount(*, today: date | None = None) -> dict[str, int]:
    """Rebuild every dashboard counter from the tables: each flow metric's rows for every
    day anything happened, and each stock metric's value today for the city and every
    county (earlier days' stock rows stay as history). Returns {metric: total counted}.

    The operator's repair tool (`epicommand recount`), seed-city's last step, and the
    tests' proof that the counters the services keep equal the tables."""
    today = today or timezone.localdate()
    keeping = _counter_region_codes()
    totals, rows = {}, []
    with transaction.atomic():
        for counted in COUNTED:
            if counted.day_field:
                found = _count_by_day(counted, keeping)
                rows += [
                    Counter(region_id=code, metric=counted.metric, day=day, value=n)
                    for (code, day), n in found.items()
                ]
                city_codes = {c for c in keeping if c == counters.city_of(c)}
                totals[counted.metric] = sum(
                    n for (code, _day), n in found.items() if code in city_codes
                )
            else:
                found = _count_now(counted.rows(), keeping)
                rows += [
                    Counter(region_id=code, metric=counted.metric, day=today, value=found[code])
                    for code in sorted(keeping)
                ]
                totals[counted.metric] = sum(
                    n for code, n in found.items() if code == counters.city_of(code)
                )
        flows = [c.metric for c in COUNTED if c.day_field]
        stocks = [c.metric for c in COUNTED if not c.day_field]
        Counter.objects.filter(metric__in=flows).delete()
        Counter.objects.filter(metric__in=stocks, day__gte=today).delete()
        Counter.objects.bulk_create(rows, batch_size=2000)
    return totals


def _counter_region_codes() -> set[str]:
    levels = (Region.Level.CITY, Region.Level.COUNTY)
    return set(Region.objects.filter(level__in=levels).values_list("code", flat=True))


def _count_now(rows: QuerySet, keeping: set[str]) -> dict[str, int]:
    found = dict.fromkeys(keeping, 0)
    grouped = rows.order_by().values_list("region_id").annotate(n=Count("pk"))
    for region_id, n in grouped:
        for code in counters.counter_regions(region_id):
            if code in found:
                found[code] += n
    return found


class LocalDay(TruncDate):
    """The Asia/Shanghai day of a time. On SQLite Django converts each row's time zone in
    Python (10 s for a million persons); a zone without daylight saving time, as Asia/Shanghai
    has been since 1991, is a fixed offset that SQLite's own date() applies (0.5 s)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        offset = _fixed_offset_seconds(self.get_tzname())
        if offset is None:
            return super().as_sqlite(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        # Whole seconds: date() rounds to milliseconds, so 23:59:59.9999 would be tomorrow.
        return f"date(substr({sql}, 1, 19), '{offset:+d} seconds')", params


def _fixed_offset_seconds(zone_name: str | None) -> int | None:
    if not zone_name:
        return 0
    zone = ZoneInfo(zone_name)
    winter, summer = (datetime(2021, month, 1, tzinfo=zone).utcoffset() for month in (1, 7))
    return int(winter.total_seconds()) if winter == summer else None


def _count_by_day(counted: Counted, keeping: set[str]) -> dict[tuple[str, date], int]:
    rows = counted.rows()
    if rows.model._meta.get_field(counted.day_field).get_internal_type() == "DateField":
        local_day = F(counted.day_field)  # already a day (a case's onset date)
    else:
        local_day = LocalDay(counted.day_field, tzinfo=timezone.get_default_timezone())
    grouped = (
        rows.filter(**{f"{counted.day_field}__isnull": False})
        .order_by()
        .annotate(local_day=local_day)
        .values_list("region_id", "local_day")
        .annotate(n=Count("pk"))
    )
    found: dict[tuple[str, date], int] = {}
    for region_id, day, n in grouped:
        for code in counters.counter_regions(region_id):
            if code in keeping:
                found[code, day] = found.get((code, day), 0) + n
    return found


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
    return _open_tasks().filter(deadline__lt=span.now)


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
    SummaryFigure("tasks_open", _("Tasks open"), "command", lambda s: _folded(_open_tasks(), s)),
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
