"""The flight circuit breaker as arithmetic (pure): how many weeks a flight's positives
suspend its route under a rule, and when those weeks run when the route is already
suspended ("a new trigger during a suspension adds up")."""

from dataclasses import dataclass
from datetime import date, timedelta

from epicommand.core.policy import BreakerRule


@dataclass(frozen=True)
class Proposal:
    weeks: int
    starts_on: date
    ends_on: date  # the last day suspended is the day before


def propose(
    rule: BreakerRule,
    positives: int,
    *,
    weeks_already: int,
    earliest: date,
    suspended_until: date | None,
) -> Proposal | None:
    """The suspension a flight's `positives` call for, beyond the `weeks_already` proposed
    or confirmed for the same flight (10 positives after 5 add the difference); None when
    the rule asks for nothing more. The weeks start on `earliest`, or when the route's
    standing suspension ends, whichever is later."""
    weeks = rule.weeks_for(positives) - weeks_already
    if weeks <= 0:
        return None
    starts_on = max(earliest, suspended_until) if suspended_until else earliest
    return Proposal(weeks, starts_on, starts_on + timedelta(weeks=weeks))


def suspended_on(spans: list[tuple[date, date]], day: date) -> bool:
    """Whether `day` falls in one of the (starts_on, ends_on) spans."""
    return any(start <= day < end for start, end in spans)
