"""`epicommand check-consistency`: every person whose records disagree with their state,
and every dashboard figure that differs from its recount. Run by the test suite after each
end-to-end story and nightly by the worker (core.periodic).

The domain app that owns the person's state registers its checks with `register(check)`
at its AppConfig.ready (control: code, facts, contacts, stays, recalls, priority entries);
each check is `check(now)` yielding (person id, what disagrees). Figures come from
`recount.differences`."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from . import periodic, recount

logger = logging.getLogger(__name__)
# At night, when the day's work has stopped: 03:00 Beijing time.
NIGHTLY = periodic.DailyAt(hour=lambda: 3)

Check = Callable[[datetime], Iterable[tuple[int, str]]]
CHECKS: list[Check] = []


def register(*checks: Check) -> None:
    for check in checks:
        if check not in CHECKS:
            CHECKS.append(check)


@dataclass
class Report:
    persons: dict[int, list[str]] = field(default_factory=dict)
    figures: list[recount.Difference] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.persons and not self.figures

    def lines(self) -> list[str]:
        return [
            *(f"person {pid}: {why}" for pid, whys in sorted(self.persons.items()) for why in whys),
            *(f"figure {difference}" for difference in self.figures),
        ]


def check(now: datetime | None = None) -> Report:
    """Walk the whole database once: reads only, so safe at any time."""
    now = now or timezone.now()
    report = Report()
    for each in CHECKS:
        for person_id, why in each(now):
            report.persons.setdefault(person_id, []).append(why)
    report.figures = recount.differences(today=timezone.localdate(now))
    return report


@periodic.recurring(NIGHTLY)
def check_nightly(day: str) -> int:
    """The worker's nightly run (`epicommand check-consistency --schedule` queues the
    first): each disagreement is logged as a warning for the operator. Returns how many."""
    lines = check().lines()
    for line in lines:
        logger.warning("check-consistency %s: %s", day, line)
    return len(lines)
