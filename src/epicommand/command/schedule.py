"""The daily summary at a set hour (settings.DAILY_SUMMARY_HOUR, Asia/Shanghai), run by the
background worker (core.periodic): each run generates its day's summaries and queues the
next day's run. `epicommand daily-summary --schedule` queues the first one."""

from datetime import date

from django.conf import settings

from epicommand.core import periodic

from .services.summaries import generate_daily_summaries

SUMMARY_TIME = periodic.DailyAt(hour=lambda: settings.DAILY_SUMMARY_HOUR)


@periodic.recurring(SUMMARY_TIME)
def daily_summaries(day: str) -> int:
    """Generate the summaries of `day` (YYYY-MM-DD); returns how many."""
    return len(generate_daily_summaries(date.fromisoformat(day)))
