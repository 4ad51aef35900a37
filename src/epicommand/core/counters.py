"""Counters the dashboard reads (DESIGN rule 7): services bump them in the same transaction
as the change they count, so a figure is never a COUNT(*) over a big table at page view.

A metric is kept per county and for the city (the county's figure is added to both), per
Asia/Shanghai day. A record placed at the city itself (a city department's task) counts
for the city only.

Flow metrics count what happened that day; the row of a day is that day's count:

    persons_registered  persons registered (form, API, import, seeding)
    tasks_issued        tasks created, a county's decomposed shares included
    tasks_done          tasks completed
    reports_filed       emergency reports filed
    scans               place-code scans made (by the day of the scan)
    passages            persons through checkpoints
    passages_denied     persons a checkpoint turned back
    checkpoint_fevers   persons a checkpoint found at or above the fever threshold
    cases_reported      cases registered (by the case's region of residence)
    cases_by_onset      symptomatic cases by their onset day: the epidemic curve
    contacts_found      contacts identified (by the contact's region)
    samples_taken       persons sampled, in rounds, recalls, priority tests and clinics
    tubes_tested        tubes a lab reported a result for (by the tube's region)
    positive_samples    persons whose own result was positive
    fever_visits        fever-clinic visits (by the patient's region)
    arrivals            inbound travellers arrived (by destination, by the arrival's day)
    vaccination_doses   vaccine doses given (by the site's region)

Stock metrics are running totals: a day's first bump starts from the latest earlier row,
so the latest row at or before a day is the value on that day:

    persons             persons registered and living in the region
    tasks_open          tasks neither done nor cancelled (+1 issued, -1 done or cancelled)
    tasks_overdue       open tasks the overdue check has found past their deadline
                        (+1 when the check notes one, -1 when a noted task is done or
                        cancelled)
    reports_open        emergency reports not yet closed (+1 filed, -1 closed)
    codes_red           persons whose health code is red (by region of residence)
    codes_yellow        persons whose health code is yellow
    stays_in_site       persons in centralized quarantine (by the site's region)
    stays_home          persons under home health monitoring after a stay
    rooms_free          quarantine rooms free to assign (by the site's region)
    supply_open         supply requests not yet delivered (by the household's region)
    contacts_open       contacts identified and not yet under control
    referrals_open      referrals sent and not yet acknowledged (by the receiving region)
    tubes_in_transit    tubes closed at a site and not yet resulted (by the site's region)
    recalls_open        members of positive pools not yet re-sampled
    travellers_in_loop  inbound travellers in the closed loop, not yet released
    loop_alarms_open    closed-loop alarms not yet resolved (by the traveller's destination)
    suspensions_proposed  route suspensions the breaker proposed, not yet decided

`core.recount.recount` rebuilds all of them from the tables."""

from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .models import Counter

CITY_CODE_LENGTH = 6

FLOW_METRICS = frozenset(
    {
        "persons_registered",
        "tasks_issued",
        "tasks_done",
        "reports_filed",
        "scans",
        "passages",
        "passages_denied",
        "checkpoint_fevers",
        "cases_reported",
        "cases_by_onset",
        "contacts_found",
        "samples_taken",
        "tubes_tested",
        "positive_samples",
        "fever_visits",
        "chain_batches_coded",
        "chain_positive_samples",
        "arrivals",
        "gathering_applications",
        "prevention_inspections",
        "vaccination_doses",
    }
)
# Running totals: a new day starts from the previous day's value.
STOCK_METRICS = frozenset(
    {
        "persons",
        "tasks_open",
        "tasks_overdue",
        "reports_open",
        "codes_red",
        "codes_yellow",
        "stays_in_site",
        "stays_home",
        "rooms_free",
        "supply_open",
        "contacts_open",
        "referrals_open",
        "tubes_in_transit",
        "recalls_open",
        "chain_holders_sealed",
        "travellers_in_loop",
        "loop_alarms_open",
        "suspensions_proposed",
        "rectifications_open",
        "disinfection_tasks_open",
    }
)


def bump(metric: str, region_code: str, delta: int = 1, *, day: date | None = None) -> None:
    """Add `delta` to `metric` for the county of `region_code` and for the city."""
    if not delta:
        return
    day = day or timezone.localdate()
    if metric in FLOW_METRICS:
        add_flows(metric, {(region_code, day): delta})
        return
    for code in counter_regions(region_code):
        _add(metric, code, delta, day)


def add_flows(metric: str, counts: dict[tuple[str, date], int]) -> None:
    """Add {(region code, day): n} to a flow metric for each county and the city, in one
    upsert per 200 rows: a device batch spans many counties and days, and a flow metric's
    day row starts from nothing, so adding is all there is to it. Rows are written in one
    order, so that two batches upserting the same rows cannot deadlock."""
    if metric not in FLOW_METRICS:
        raise ValueError(f"{metric!r} is not a flow metric: use bump")
    totals: dict[tuple[str, date], int] = {}
    for (region_code, day), n in counts.items():
        for code in counter_regions(region_code):
            totals[code, day] = totals.get((code, day), 0) + n
    rows = [(code, metric, day, n) for (code, day), n in sorted(totals.items()) if n]
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 200):
            chunk = rows[start : start + 200]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (region_id, metric, day, value) VALUES {values} "
                f"ON CONFLICT (region_id, metric, day) "
                f"DO UPDATE SET value = {table}.value + excluded.value",
                [field for row in chunk for field in row],
            )


def move(
    metric: str, from_code: str, to_code: str, count: int = 1, *, day: date | None = None
) -> None:
    """`count` records of a stock metric moved from one region to another: taken from the
    counters of the old county (and city) and added to the new, where they differ."""
    day = day or timezone.localdate()
    deltas: dict[str, int] = {}
    for code in counter_regions(from_code):
        deltas[code] = deltas.get(code, 0) - count
    for code in counter_regions(to_code):
        deltas[code] = deltas.get(code, 0) + count
    for code, delta in deltas.items():
        if delta:
            _add(metric, code, delta, day)


def counter_regions(region_code: str) -> tuple[str, ...]:
    """The regions that keep counters for a record placed at `region_code`: its county and
    the city, or the city alone for a record at the city's own level."""
    county = region_code[:CITY_CODE_LENGTH]
    city = city_of(county)
    return (city,) if county == city else (county, city)


def city_of(region_code: str) -> str:
    return region_code[:4] + "00"


def _add(metric: str, region_code: str, delta: int, day: date) -> None:
    if metric in STOCK_METRICS:
        # A running total: a change dated in the past (a demo or an import replaying its
        # days) changes every later day's value too.
        Counter.objects.filter(region_id=region_code, metric=metric, day__gt=day).update(
            value=F("value") + delta
        )
    for _attempt in range(2):
        updated = Counter.objects.filter(region_id=region_code, metric=metric, day=day).update(
            value=F("value") + delta
        )
        if updated:
            return
        start = _previous_total(metric, region_code, day) if metric in STOCK_METRICS else 0
        try:
            # A savepoint: on PostgreSQL a concurrent transaction may create the same
            # day's row first; the unique constraint refuses ours and the update retries.
            with transaction.atomic():
                Counter.objects.create(
                    region_id=region_code, metric=metric, day=day, value=start + delta
                )
            return
        except IntegrityError:
            continue
    raise IntegrityError(f"counter {metric} {region_code} {day} could not be written")


def _previous_total(metric: str, region_code: str, day: date) -> int:
    latest = (
        Counter.objects.filter(region_id=region_code, metric=metric, day__lt=day)
        .order_by("-day")
        .values_list("value", flat=True)
        .first()
    )
    return latest or 0


# Reading ---------------------------------------------------------------------------------


def latest_values(
    region_codes: list[str], metrics: list[str], day: date
) -> dict[tuple[str, str], int]:
    """{(region, metric): value} of stock metrics on `day`: each pair's latest row at or
    before it, in one query over the (region, metric, day) unique index."""
    if not region_codes or not metrics:
        return {}
    ranked = (
        Counter.objects.filter(region_id__in=region_codes, metric__in=metrics, day__lte=day)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("region_id"), F("metric")], order_by=F("day").desc()
            )
        )
        .filter(rank=1)
        .values_list("region_id", "metric", "value")
    )
    return {(region, metric): value for region, metric, value in ranked}


def daily_values(
    region_codes: list[str], metrics: list[str], first: date, last: date
) -> dict[tuple[str, str, date], int]:
    """{(region, metric, day): value} of flow metrics from `first` to `last`; a day without
    a row counted nothing."""
    if not region_codes or not metrics:
        return {}
    rows = Counter.objects.filter(
        region_id__in=region_codes, metric__in=metrics, day__gte=first, day__lte=last
    ).values_list("region_id", "metric", "day", "value")
    return {(region, metric, day): value for region, metric, day, value in rows}
