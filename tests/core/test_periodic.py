"""Recurring background work (core.periodic): one run of a task waits in the queue at a time,
and each round, even a failed one, queues the next."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from epicommand.core import periodic

rounds: list[str] = []


@periodic.recurring(periodic.Every(timedelta(minutes=10)))
def count_round() -> int:
    rounds.append("round")
    return len(rounds)


@periodic.recurring(periodic.Every(timedelta(minutes=10)))
def failing_round() -> None:
    raise RuntimeError("the webhook is down")


def waiting(background_task=count_round) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=background_task.module_path, status=TaskResultStatus.READY
        )
    )


def the_worker_takes_the_waiting_run():
    DBTaskResult.objects.filter(task_path=count_round.module_path).update(
        status=TaskResultStatus.RUNNING
    )


@pytest.fixture(autouse=True)
def no_rounds_yet():
    rounds.clear()


@pytest.mark.usefixtures("database_tasks")
def test_a_task_scheduled_twice_waits_once_after_its_interval(db):
    assert periodic.start(count_round) is not None
    assert periodic.start(count_round) is None
    [run] = waiting()
    assert periodic.is_waiting(count_round)
    assert run.task.func is count_round.func  # the worker finds the round by its path
    assert timedelta(minutes=9) < run.run_after - timezone.now() <= timedelta(minutes=10)


@pytest.mark.usefixtures("database_tasks")
def test_after_a_round_the_next_run_is_waiting_again(db):
    periodic.start(count_round)
    the_worker_takes_the_waiting_run()
    assert not periodic.is_waiting(count_round)
    assert count_round.call() == 1
    [run] = waiting()
    assert timedelta(minutes=9) < run.run_after - timezone.now() <= timedelta(minutes=10)


@pytest.mark.usefixtures("database_tasks")
def test_a_failed_round_still_queues_the_next(db):
    with pytest.raises(RuntimeError):
        failing_round.call()
    assert len(waiting(failing_round)) == 1


def test_a_backend_that_runs_tasks_at_once_gets_nothing_queued(db):
    assert periodic.start(count_round) is None
    assert rounds == []
