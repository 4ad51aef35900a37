"""The overdue check notes each open task past its deadline once, when time has passed:
it stamps the task, puts OVERDUE on its trail, audits it, counts it and tells both the
assigned and the issuing unit. It runs as a self-repeating background task and as a
management command for cron."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from epicommand.command import tasks as background
from epicommand.command.models import Task, TaskEvent
from epicommand.command.queries import task_page
from epicommand.command.services import tasks as services
from epicommand.command.services.tasks import detect_overdue_tasks
from epicommand.core import periodic
from epicommand.core.models import AuditEvent, Counter, Notification

from .task_world import task_world

# These tests are about the production queue, where tasks wait for the worker.
pytestmark = pytest.mark.usefixtures("database_tasks")


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


def hours(n):
    return timedelta(hours=n)


def test_nothing_is_overdue_before_the_deadline(w):
    w.issue(to=[w.gaocheng], hours=2)
    assert detect_overdue_tasks(w.now + hours(1)) == []
    assert not Task.objects.filter(overdue_noted_at__isnull=False).exists()


def test_a_task_past_its_deadline_is_noted_once(w):
    (task,) = w.issue(to=[w.gaocheng], hours=2)
    later = w.now + hours(3)
    assert detect_overdue_tasks(later) == [task]
    assert detect_overdue_tasks(later + hours(1)) == []
    task.refresh_from_db()
    assert task.overdue_noted_at == later
    (event,) = task.events.filter(kind=TaskEvent.Kind.OVERDUE)
    assert (event.at, event.by) == (later, None)
    (audit,) = AuditEvent.objects.filter(action="task.overdue")
    assert (audit.object_id, audit.region_id, audit.actor_name) == (
        str(task.pk),
        "130109",
        "system",
    )


def test_the_assigned_and_the_issuing_unit_are_told(w):
    w.issue(to=[w.gaocheng], hours=2, title="上报核酸进度")
    detect_overdue_tasks(w.now + hours(3))
    for unit in (w.gaocheng, w.city.office):
        (note,) = Notification.objects.filter(unit=unit, message__startswith="Overdue")
        assert "上报核酸进度" in note.message


def test_done_and_cancelled_tasks_are_never_overdue(w):
    done, cancelled = w.issue(to=[w.gaocheng, w.changan], hours=2)
    services.acknowledge_task(w.gaocheng_office, done)
    services.complete_task(w.gaocheng_office, done, text="完成")
    services.cancel_task(w.office, cancelled, reason="撤回")
    assert detect_overdue_tasks(w.now + hours(3)) == []


def test_overdue_tasks_are_counted_until_they_are_closed(w):
    late, also_late = w.issue(to=[w.gaocheng, w.changan], hours=2)
    detect_overdue_tasks(w.now + hours(3))

    def overdue():
        return (
            Counter.objects.filter(region_id="130100", metric="tasks_overdue")
            .order_by("-day")
            .values_list("value", flat=True)
            .first()
        )

    assert overdue() == 2
    services.acknowledge_task(w.gaocheng_office, late)
    services.complete_task(w.gaocheng_office, late, text="迟交")
    assert overdue() == 1


def test_the_list_flags_overdue_tasks(w):
    w.issue(to=[w.gaocheng], hours=2)
    w.issue(to=[w.changan], hours=5)
    rows, _ = task_page(w.office, now=w.now + hours(3))
    assert [(t.assignee, t.overdue) for t in rows] == [(w.changan, False), (w.gaocheng, True)]
    only, _ = task_page(w.office, now=w.now + hours(3), overdue=True)
    assert [t.assignee for t in only] == [w.gaocheng]


def test_the_background_check_runs_and_schedules_the_next_in_five_minutes(w):
    w.issue(to=[w.gaocheng], hours=1)
    Task.objects.update(deadline=w.now - hours(1))  # the worker runs on the real clock
    assert background.check_overdue_tasks.call() == 1
    (waiting,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert waiting.task_path == background.check_overdue_tasks.module_path
    assert timedelta(minutes=4) < waiting.run_after - w.now < timedelta(minutes=6)


def test_only_one_recurring_check_waits_at_a_time(w):
    assert periodic.start(background.check_overdue_tasks) is not None
    assert periodic.start(background.check_overdue_tasks) is None
    background.check_overdue_tasks.call()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_management_command_notes_overdue_tasks_for_cron(w):
    w.issue(to=[w.gaocheng], hours=1)
    Task.objects.update(deadline=w.now - hours(1))
    out = StringIO()
    call_command("check_overdue_tasks", stdout=out)
    assert "1 tasks newly overdue" in out.getvalue()
    assert not DBTaskResult.objects.exists()
    call_command("check_overdue_tasks", "--schedule", stdout=out)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
