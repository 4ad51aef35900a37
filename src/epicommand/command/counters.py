"""Counters the dashboard reads (DESIGN rule 7): services bump them in the same transaction
as the change they count, so a figure is never a COUNT(*) over a big table at page view.

A metric is kept per county and for the city (the county's figure is added to both), per
Asia/Shanghai day. Flow metrics ("tasks_issued") count what happened that day; stock
metrics ("tasks_open") are running totals whose latest row is the current value."""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Counter

CITY_CODE_LENGTH = 6


def bump(metric: str, region_code: str, delta: int = 1, *, day: date | None = None) -> None:
    """Add `delta` to `metric` for the county of `region_code` and for the city."""
    if not delta:
        return
    day = day or timezone.localdate()
    for code in _levels(region_code):
        _add(metric, code, delta, day)


def _levels(region_code: str) -> tuple[str, str]:
    county = region_code[:CITY_CODE_LENGTH]
    return county, county[:4] + "00"


def _add(metric: str, region_code: str, delta: int, day: date) -> None:
    with transaction.atomic():
        updated = Counter.objects.filter(region_id=region_code, metric=metric, day=day).update(
            value=F("value") + delta
        )
        if not updated:
            Counter.objects.create(
                region_id=region_code,
                metric=metric,
                day=day,
                value=_previous_total(metric, region_code, day) + delta
                if metric in STOCK_METRICS
                else delta,
            )


def _previous_total(metric: str, region_code: str, day: date) -> int:
    latest = (
        Counter.objects.filter(region_id=region_code, metric=metric, day__lt=day)
        .order_by("-day")
        .values_list("value", flat=True)
        .first()
    )
    return latest or 0


# Running totals: a new day starts from the previous day's value.
STOCK_METRICS = {"persons", "tasks_open", "reports_open"}
