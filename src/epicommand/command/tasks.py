"""Background work of the command app, run by `epicommand worker` (django-tasks).

The overdue check runs every few minutes (core.periodic): each run queues the next before
it ends, so one `epicommand check-overdue-tasks --schedule` (or the first run) keeps it
going. Sites that prefer cron run `epicommand check-overdue-tasks` instead."""

from datetime import timedelta

from epicommand.core import periodic

from .services.tasks import detect_overdue_tasks

OVERDUE_CHECK = periodic.Every(timedelta(minutes=5))


@periodic.recurring(OVERDUE_CHECK)
def check_overdue_tasks() -> int:
    """Note the tasks that passed their deadline since the last run; returns how many."""
    return len(detect_overdue_tasks())
