"""Retention: records about persons' movements are deleted, and closed records' personal
details cleared, after the days the edition's `data` rules keep them (core.policy_exports),
by a nightly round (`epicommand purge-old-records`, `--schedule` for the worker at 02:00
Beijing). Each module declares what it keeps and how it lets go, in its own retention
module:

    @retention.rule("control.scans", _("place-code scans"), lambda: rules().scan_days)
    def purge_scans(before: datetime) -> int: ...   # deletes what is older; returns how many

The cut is a day: `days` days before today (Beijing) is the first day kept whole, and
everything before its midnight goes; so a day is either kept entire or gone entire. A
rule's days are never fewer than `device_max_age_days`, or a device's replay of an old
batch would bring a purged record back. Each rule runs in its own transaction with its
audit event (`retention.purge`, naming what went, how many, and the cut).

The dashboard's figures are history: a purged scan still counted on its day. A metric
counted from rows that retention removes declares `kept_days` in its recount.Counted, and
`recount` and the consistency check leave the days before the cut as they stand."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from . import audit, periodic, policy


@dataclass(frozen=True)
class Rule:
    name: str  # "control.scans": the audit event's object type
    label: str  # what goes, in the report: "place-code scans"
    days: Callable[[], int]  # read at each run: a changed edition takes effect
    work: Callable[[datetime], int]  # removes (or clears) what is older; returns how many
    anonymises: bool = False  # clears personal details, keeping the record


RULES: dict[str, Rule] = {}


def rule(name: str, label: str, days: Callable[[], int], *, anonymises: bool = False):
    def register(work):
        if name in RULES and RULES[name].work is not work:
            raise ValueError(f"retention rule {name!r} is registered twice")
        RULES[name] = Rule(name, label, days, work, anonymises)
        return work

    return register


def kept_days(days: int) -> int:
    """The days actually kept: never fewer than a device may still upload a record."""
    return max(days, policy.active().device_max_age_days)


def first_kept_day(days: int, today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=kept_days(days))


def cut_off(days: int, today: date | None = None) -> datetime:
    """The first moment kept: the midnight (Beijing) starting the first day kept."""
    return timezone.make_aware(datetime.combine(first_kept_day(days, today), time()))


@dataclass(frozen=True)
class Purged:
    rule: Rule
    count: int
    before: datetime

    def __str__(self):
        done = "anonymised" if self.rule.anonymises else "deleted"
        return f"{self.count} {self.rule.label} {done} (before {self.before:%Y-%m-%d})"


def purge(today: date | None = None) -> list[Purged]:
    """Run every rule as of `today`; each audited in its own transaction."""
    report = []
    for each in RULES.values():
        before = cut_off(each.days(), today)
        with transaction.atomic():
            purged = Purged(each, each.work(before), before)
            audit.record(None, "retention.purge", object_type=each.name, reason=str(purged))
        report.append(purged)
    return report


# 02:00 Beijing, with the cold chain's purge, before the 03:00 consistency check.
NIGHTLY = periodic.DailyAt(hour=lambda: 2)


@periodic.recurring(NIGHTLY)
def purge_nightly(day: str) -> int:
    """The worker's nightly run (`epicommand purge-old-records --schedule` queues the
    first): purges as of `day`. Returns how many records went or were cleared."""
    return sum(p.count for p in purge(today=date.fromisoformat(day)))
