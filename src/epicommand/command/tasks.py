"""Background work of the command app, run by `epicommand worker` (django-tasks).

The overdue check runs every few minutes: each run schedules the next before it ends, so
one `epicommand check-overdue-tasks --schedule` (or the first run) keeps it going. Sites
that prefer cron run `epicommand check-overdue-tasks` instead."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .services.tasks import detect_overdue_tasks

OVERDUE_CHECK_INTERVAL = timedelta(minutes=5)


@task()
def check_overdue_tasks() -> int:
    """Note the tasks that passed their deadline since the last run; returns how many."""
    try:
        return len(detect_overdue_tasks())
    finally:
        schedule_overdue_check()


def schedule_overdue_check(delay: timedelta = OVERDUE_CHECK_INTERVAL):
    """Enqueue the next overdue check unless one is already waiting (a second chain would
    only double the work). Returns the enqueued result, or None."""
    backend = check_overdue_tasks.get_backend()
    if not backend.supports_defer:
        return None  # an immediate backend would run it at once, forever
    if _already_waiting():
        return None
    return check_overdue_tasks.using(run_after=timezone.now() + delay).enqueue()


def _already_waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it cannot tell, so do not guess
        return False
    from django_tasks import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=check_overdue_tasks.module_path, status=TaskResultStatus.READY
    ).exists()
