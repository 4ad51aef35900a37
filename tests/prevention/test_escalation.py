"""A rectification past its deadline escalates to the command office: the round (time made
to pass by giving it a later `now`) marks it once and notifies the county's command office;
the command page proposes a task to that office, raised through command's task services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.command.alerts import current_alerts
from epicommand.command.models import Task
from epicommand.command.services.tasks import raise_task_from_state
from epicommand.core.models import Notification, Role
from epicommand.prevention.models import Rectification
from epicommand.prevention.services import inspections
from epicommand.prevention.services.rectifications import escalate_overdue
from epicommand.prevention.tasks import run_round

from .world import all_passed, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(world):
    unit = world.market_unit
    inspections.inspect_unit(
        world.gaocheng_inspector,
        unit,
        results=all_passed(unit, masks=False),
        photos={"masks": [photo()]},
    )
    return Rectification.objects.get(unit=unit)


def test_nothing_escalates_before_the_deadline(failed):
    assert escalate_overdue(now=failed.deadline - timedelta(minutes=1)) == 0
    failed.refresh_from_db()
    assert failed.escalated_at is None


def test_past_the_deadline_it_escalates_once_and_the_county_office_is_told(failed, world):
    later = failed.deadline + timedelta(hours=1)
    assert run_round(now=later)["escalated"] == 1
    assert run_round(now=later + timedelta(minutes=5))["escalated"] == 0

    failed.refresh_from_db()
    assert failed.escalated_at == later
    office = world.offices[failed.region_id[:6]]
    (note,) = Notification.objects.filter(unit=office)
    assert "1" in note.message and note.url.startswith("/prevention/rectifications/")


def test_the_city_office_raises_the_escalation_as_a_task_for_the_county(
    failed, world, make_user, city
):
    escalate_overdue(now=failed.deadline + timedelta(hours=1))
    city_office = make_user("city_office", Role.CITY_OFFICE, city.sjz)
    alerts = [a for a in current_alerts(city_office) if a.key.startswith("prevention-rect-")]
    assert len(alerts) == 1
    assert alerts[0].assignee == world.offices[city.gaocheng.code]

    task = raise_task_from_state(city_office, alerts[0], now=timezone.now())

    assert task.assignee == world.offices[city.gaocheng.code]
    assert task.source_key == alerts[0].key
    assert Task.objects.filter(source_key__startswith="prevention-rect-").count() == 1


def test_a_rectification_closed_in_time_never_escalates(failed, world):
    unit = world.market_unit
    inspections.inspect_unit(world.gaocheng_inspector, unit, results=all_passed(unit))
    assert escalate_overdue(now=failed.deadline + timedelta(days=1)) == 0
