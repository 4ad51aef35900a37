"""Recurring background work: a django-tasks task that does its round, then queues its own
next run, so one `--schedule` of its management command (or the first run) keeps it going
with `epicommand worker`; sites that prefer cron run the command without the flag.

An app declares only the round and its rhythm, every few minutes or daily at an hour:

    OVERDUE_CHECK = periodic.Every(timedelta(minutes=5))

    @periodic.recurring(OVERDUE_CHECK)
    def check_overdue_tasks() -> int: ...

and its command's --schedule calls `periodic.start(check_overdue_tasks)`. At most one run
of a task waits in the queue at a time: a second chain would only double the work. The next
run is queued even when a round fails, so one bad round does not end the chain."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult


@dataclass(frozen=True)
class Every:
    """A run every `interval`; the task takes no arguments."""

    interval: timedelta

    def next_run(self, now: datetime) -> tuple[datetime, tuple]:
        return now + self.interval, ()

    first_run = next_run  # the first run too waits an interval


@dataclass(frozen=True)
class DailyAt:
    """A run a day at an hour, Beijing time; the task takes its day (YYYY-MM-DD). A worker
    that was down catches up: each missed day's run is due at once and queues the one after."""

    hour: Callable[[], int]  # read at each run, so a changed setting takes effect

    def run_time(self, day: date) -> datetime:
        """When the run of `day` is due: that day at the hour, Beijing time."""
        return datetime.combine(day, time(self.hour()), tzinfo=timezone.get_default_timezone())

    def next_day_due(self, now: datetime | None = None) -> date:
        """The first day whose run is still to come: today before the hour, else tomorrow."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        return today if now < self.run_time(today) else today + timedelta(days=1)

    def first_run(self, now: datetime) -> tuple[datetime, tuple]:
        return self._run_of(self.next_day_due(now))

    def next_run(self, now: datetime, day: str) -> tuple[datetime, tuple]:
        return self._run_of(date.fromisoformat(day) + timedelta(days=1))

    def _run_of(self, day: date) -> tuple[datetime, tuple]:
        return self.run_time(day), (day.isoformat(),)


Rhythm = Every | DailyAt
_RHYTHMS: dict[str, Rhythm] = {}  # task path -> its rhythm, for `start`


def recurring(rhythm: Rhythm):
    """Make `round_` a task that, after each round, queues its next run by `rhythm`. The task
    keeps the round's module path, so runs already queued under it still find it."""

    def declare(round_) -> Task:
        @functools.wraps(round_)
        def run(*args):
            try:
                return round_(*args)
            finally:
                enqueue_at(recurring_task, *rhythm.next_run(timezone.now(), *args))

        recurring_task = task()(run)
        _RHYTHMS[recurring_task.module_path] = rhythm
        return recurring_task

    return declare


def start(recurring_task: Task) -> TaskResult | None:
    """Queue the first run of a recurring task (its command's --schedule); None when a run
    is already waiting or the backend cannot wait."""
    rhythm = _RHYTHMS[recurring_task.module_path]
    return enqueue_at(recurring_task, *rhythm.first_run(timezone.now()))


def enqueue_at(background_task: Task, when: datetime, args: tuple = ()) -> TaskResult | None:
    """Queue a run of `background_task` at `when`, unless one is already waiting. Returns
    the queued result, or None."""
    if not background_task.get_backend().supports_defer:
        return None  # an immediate backend would run it at once, and that run the next, forever
    if is_waiting(background_task):
        return None
    return background_task.using(run_after=when).enqueue(*args)


def is_waiting(background_task: Task) -> bool:
    """Whether a run of `background_task` is queued and not yet started. Only the database
    backend keeps a queue to look into; another (the tests' dummy one) cannot tell, so: no."""
    if not isinstance(background_task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=background_task.module_path, status=TaskResultStatus.READY
    ).exists()
