"""Supervision pages open to discipline inspection only, and every view of one is audited:
they show who failed. Supervisors read tasks and change none."""

import pytest
from django.urls import reverse

from epicommand.command.models import AccountabilityRecord, Task
from epicommand.core.access import Capability, capabilities_of
from epicommand.core.models import AuditEvent, Role
from tests.command.report_setup import make_task
from tests.conftest import login


@pytest.fixture
def task(city_office, city):
    return make_task(city_office, city.gaocheng_cdc)


@pytest.fixture
def record(supervisor, city, task):
    return AccountabilityRecord.objects.create(
        kind="slowness",
        unit=city.gaocheng_cdc,
        task=task,
        region=city.gaocheng,
        description="接到任务 30 小时未签收",
        recorded_by=supervisor,
    )


def _pages(task, record):
    return [
        "/supervision/",
        "/supervision/acknowledgements/",
        "/supervision/tasks/",
        f"/supervision/tasks/{task.pk}/",
        "/supervision/accountability/",
        "/supervision/accountability/new/",
        f"/supervision/accountability/{record.pk}/",
    ]


def test_every_supervision_page_opens_for_a_supervisor(supervisor, task, record):
    client = login(supervisor)
    for url in _pages(task, record):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "role",
    [Role.CITY_OFFICE, Role.COUNTY_OFFICE, Role.LEADER, Role.EPIDEMIOLOGIST, Role.ADMINISTRATOR],
)
def test_other_roles_get_403(make_user, city, task, record, role):
    client = login(make_user("someone", role, city.sjz))
    for url in _pages(task, record):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_go_to_the_login_page(client, task, record):
    for url in _pages(task, record):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_every_supervision_page_view_is_audited(supervisor, task, record):
    client = login(supervisor)
    for url in _pages(task, record):
        before = AuditEvent.objects.filter(action="supervision.view").count()
        client.get(url)
        assert AuditEvent.objects.filter(action="supervision.view").count() == before + 1, url
    trail = AuditEvent.objects.filter(action="supervision.view", object_type="command.task")
    assert trail.get().object_id == str(task.pk)
    overdue = AuditEvent.objects.get(object_type="supervision.overdue")
    assert overdue.actor == supervisor and overdue.region_id == "130100"


def test_supervisors_may_not_work_or_issue_tasks_nor_handle_reports():
    capabilities = capabilities_of(Role.SUPERVISOR)
    assert Capability.SUPERVISE in capabilities and Capability.VIEW_TASKS in capabilities
    for forbidden in (
        Capability.WORK_TASKS,
        Capability.ISSUE_TASKS,
        Capability.FILE_REPORTS,
        Capability.HANDLE_REPORTS,
        Capability.SIGN_REPORTS,
        Capability.EDIT_PERSONS,
    ):
        assert forbidden not in capabilities


def test_a_supervisor_posting_to_task_actions_is_refused(supervisor, task):
    client = login(supervisor)
    for name in ("task_acknowledge", "task_progress", "task_complete", "task_cancel"):
        url = reverse(f"command:{name}", args=[task.pk])
        assert client.post(url, {"text": "x", "percent": "50", "reason": "x"}).status_code == 403
    assert client.post(reverse("command:task_new"), {"title": "x"}).status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.ISSUED
    assert list(task.events.values_list("kind", flat=True)) == ["issued"]
