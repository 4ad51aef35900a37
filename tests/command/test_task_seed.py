"""`epicommand seed-tasks` gives the demo city a day of command work through the services:
tasks to departments and every county, some decomposed, some done with evidence, some
overdue; the same every time, and nothing when tasks exist."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from epicommand.command.models import Task, TaskAttachment
from epicommand.command.queries import task_tree
from epicommand.core.models import AuditEvent, User


@pytest.fixture
def demo_city(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_city", people=500, seed="7", stdout=StringIO())
    call_command("demo_accounts", stdout=StringIO())


def seed() -> str:
    out = StringIO()
    call_command("seed_tasks", stdout=out)
    return out.getvalue()


def test_a_day_of_tasks_is_issued_worked_and_checked(demo_city):
    seed()
    S = Task.Status
    roots = Task.objects.filter(parent__isnull=True)
    assert roots.count() == 22 * 2 + 2 + 1 + 2 + 2 + 1 + 1 + 1  # city tasks + Gaocheng's own
    assert Task.objects.filter(status=S.DONE).count() == 7
    assert Task.objects.filter(overdue_noted_at__isnull=False).count() == 24
    assert Task.objects.filter(parent__isnull=False).count() > 2
    assert TaskAttachment.objects.filter(kind="evidence").count() == 4
    # Every task went through the services: one audit event per task created.
    created = AuditEvent.objects.filter(action__in=["task.issue", "task.decompose"]).count()
    assert created == Task.objects.count()


def test_gaocheng_s_testing_round_shows_one_township_done(demo_city):
    seed()
    office = User.objects.get(username="city_office")
    testing = Task.objects.get(title="开展第三轮全员核酸检测", region_id="130109")
    root, *shares = task_tree(office, testing)
    assert root.task.status == Task.Status.IN_PROGRESS
    assert root.children_done == 1 and root.children_total == len(shares) > 1
    (done,) = [n for n in shares if n.task.status == Task.Status.DONE]
    assert done.task.region_id == "130109104" and done.completion_took


def test_seeding_again_changes_nothing(demo_city):
    seed()
    before = Task.objects.count()
    assert "nothing to do" in seed()
    assert Task.objects.count() == before


def test_the_demo_accounts_are_needed(db):
    with pytest.raises(CommandError, match="demo-accounts"):
        seed()
