"""The bulletin drafted by the platform at the day's cut-off (policy: day_ends_hour)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError

from epicommand.core import periodic, policy

from .services import bulletins


def _hour() -> int:
    return policy.active().information.day_ends_hour % 24


CUT_OFF = periodic.DailyAt(hour=_hour)


def day_closing_at(run_day: date) -> date:
    """The bulletin day a run on `run_day` at the cut-off closes: the day before when the
    day ends at midnight (24 h), else the same day."""
    if policy.active().information.day_ends_hour >= 24:
        return run_day - timedelta(days=1)
    return run_day


@periodic.recurring(CUT_OFF)
def draft_at_cut_off(day: str) -> int:
    """The worker's run (`epicommand draft-bulletin --schedule` queues the first): the
    platform drafts the closed day's bulletin for the office to check and sign. Returns
    the draft's id, or 0 when the day is published already."""
    try:
        return bulletins.draft_bulletin(None, day_closing_at(date.fromisoformat(day))).pk
    except ValidationError:
        return 0
