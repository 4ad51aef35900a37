"""Rebuilding the dashboard counters from the tables (`recount`): the operator's repair tool
(`epicommand recount`), seed-city's last step, and the tests' proof that the counters the
services keep equal the tables.

Each module registers how to count the metrics it keeps with `register(Counted(...))` in
its own `dashboard` module (loaded by its AppConfig.ready)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import counters
from .models import Counter, Region


@dataclass(frozen=True)
class Counted:
    """How to count one metric from its table: the rows, and for a flow metric the time
    field that puts a row on its Asia/Shanghai day."""

    metric: str
    rows: Callable[[], QuerySet]
    day_field: str | None = None  # None: a stock metric, counted as it is now
    # A flow metric whose rows retention removes (core.retention): the days its rows are
    # kept. Days before are history: recount leaves their figures as they stand.
    kept_days: Callable[[], int] | None = None

    def first_counted_day(self, today: date) -> date | None:
        """The first day recounted from the rows; None: every day."""
        if self.kept_days is None:
            return None
        from .retention import first_kept_day

        return first_kept_day(self.kept_days(), today)


COUNTED: dict[str, Counted] = {}


def register(*counted: Counted) -> None:
    """How `recount` counts metrics; a module registers each metric it keeps (a second
    registration of the same metric replaces the first)."""
    for each in counted:
        if each.metric not in counters.STOCK_METRICS | counters.FLOW_METRICS:
            raise ValueError(f"{each.metric!r} is no counter metric: add it to core.counters")
        COUNTED[each.metric] = each


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
        history: dict[str, date] = {}  # metric -> first day recounted (earlier: history)
        for counted in COUNTED.values():
            if counted.day_field:
                found = _count_by_day(counted, keeping)
                first = counted.first_counted_day(today)
                if first is not None:
                    history[counted.metric] = first
                    found = {key: n for key, n in found.items() if key[1] >= first}
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
        flows = [c.metric for c in COUNTED.values() if c.day_field and c.metric not in history]
        stocks = [c.metric for c in COUNTED.values() if not c.day_field]
        Counter.objects.filter(metric__in=flows).delete()
        for metric, first in history.items():
            Counter.objects.filter(metric=metric, day__gte=first).delete()
        Counter.objects.filter(metric__in=stocks, day__gte=today).delete()
        Counter.objects.bulk_create(rows, batch_size=2000)
    return totals


@dataclass(frozen=True)
class Difference:
    """A dashboard figure that differs from its recount."""

    metric: str
    region_code: str
    day: date
    shown: int
    counted: int

    def __str__(self):
        return (
            f"{self.metric} {self.region_code} {self.day}: "
            f"shows {self.shown}, a recount gives {self.counted}"
        )


def differences(*, today: date | None = None) -> list[Difference]:
    """Every figure the counters hold that a recount would change, counted as `recount`
    counts but written nowhere: the consistency check's half on figures."""
    today = today or timezone.localdate()
    keeping = _counter_region_codes()
    found = []
    for counted in COUNTED.values():
        if counted.day_field:
            expected = _count_by_day(counted, keeping)
            stored_rows = Counter.objects.filter(metric=counted.metric, region_id__in=keeping)
            first = counted.first_counted_day(today)
            if first is not None:  # the days before are history (core.retention)
                expected = {key: n for key, n in expected.items() if key[1] >= first}
                stored_rows = stored_rows.filter(day__gte=first)
            stored = {
                (code, day): value
                for code, day, value in stored_rows.values_list("region_id", "day", "value")
            }
            for key in sorted(set(expected) | set(stored)):
                shown, count = stored.get(key, 0), expected.get(key, 0)
                if shown != count:
                    found.append(Difference(counted.metric, key[0], key[1], shown, count))
        else:
            expected = _count_now(counted.rows(), keeping)
            stored = counters.latest_values(sorted(keeping), [counted.metric], today)
            for code in sorted(keeping):
                shown = stored.get((code, counted.metric), 0)
                if shown != expected[code]:
                    found.append(Difference(counted.metric, code, today, shown, expected[code]))
    return found


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
