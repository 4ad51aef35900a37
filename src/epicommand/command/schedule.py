"""The daily summary at a set hour (settings.DAILY_SUMMARY_HOUR, Asia/Shanghai), run by the
background worker: each run generates its day's summaries and queues the next day's run.
`epicommand daily-summary --schedule` queues the first one."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .services.summaries import generate_daily_summaries


def run_time(day: date) -> datetime:
    """When the summary of `day` is due: that day at DAILY_SUMMARY_HOUR, Beijing time."""
    hour = time(settings.DAILY_SUMMARY_HOUR)
    return datetime.combine(day, hour, tzinfo=timezone.get_default_timezone())


def next_day_due(now: datetime | None = None) -> date:
    """The first day whose summary is still to come: today before the hour, else tomorrow."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return today if now < run_time(today) else today + timedelta(days=1)


@task()
def daily_summaries(day: str) -> int:
    """Generate the summaries of `day` (YYYY-MM-DD) and queue the next day's. A worker that
    was down catches up: each missed day's run is due at once and queues the one after."""
    generated = generate_daily_summaries(date.fromisoformat(day))
    schedule(date.fromisoformat(day) + timedelta(days=1))
    return len(generated)


def schedule(day: date):
    """Queue the run for `day` at its hour, unless a run is already waiting."""
    if _waiting():
        return None
    return daily_summaries.using(run_after=run_time(day)).enqueue(day.isoformat())


def _waiting() -> bool:
    """With the database backend, a queued run not yet started; other backends (tests'
    immediate or dummy ones) keep no queue to look into."""
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return False
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=daily_summaries.module_path, status=TaskResultStatus.READY
    ).exists()
