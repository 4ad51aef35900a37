"""The scheduled recompute: the worker moves codes whose phase ended (red -> yellow ->
green) every few minutes, one waiting run at a time; cron sites run the command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from epicommand.control import tasks as background
from epicommand.control.models import Colour, FactKind, HealthCode
from epicommand.control.services import healthcode
from epicommand.core import periodic

# These tests are about the production queue, where tasks wait for the worker.
pytestmark = pytest.mark.usefixtures("database_tasks")


def _visit_fifteen_days_ago(person, settings):
    settings.PROTOCOL_EDITION = "8"
    at = timezone.now() - timedelta(days=15)
    # Recorded as of the visit, so the stored code still says red until day 14.
    healthcode.record_fact(
        person,
        FactKind.HIGH_RISK_VISIT,
        started_at=at,
        ended_at=at,
        source="scan 1",
        source_key="scan:1",
        now=at,
    )
    assert HealthCode.objects.get(person=person).colour == Colour.RED


def test_the_background_recompute_turns_a_finished_red_phase_yellow_and_queues_the_next(
    gaocheng_person, settings
):
    _visit_fifteen_days_ago(gaocheng_person, settings)
    assert background.recompute_due_codes.call() == 1
    assert HealthCode.objects.get(person=gaocheng_person).colour == Colour.YELLOW
    (waiting,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert waiting.task_path == background.recompute_due_codes.module_path
    assert timedelta(minutes=4) < waiting.run_after - timezone.now() < timedelta(minutes=6)


def test_only_one_recurring_recompute_waits_at_a_time(db):
    assert periodic.start(background.recompute_due_codes) is not None
    assert periodic.start(background.recompute_due_codes) is None
    background.recompute_due_codes.call()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_command_recomputes_for_cron_and_schedules_with_a_flag(gaocheng_person, settings):
    _visit_fifteen_days_ago(gaocheng_person, settings)
    out = StringIO()
    call_command("recompute_codes", stdout=out)
    assert "1 health codes recomputed." in out.getvalue()
    assert HealthCode.objects.get(person=gaocheng_person).colour == Colour.YELLOW
    assert not DBTaskResult.objects.exists()
    call_command("recompute_codes", "--schedule", stdout=out)
    assert "Recurring recompute enqueued (every 5 minutes)." in out.getvalue()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    call_command("recompute_codes", "--schedule", stdout=out)
    assert "already waiting" in out.getvalue()
