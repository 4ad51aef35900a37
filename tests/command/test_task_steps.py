"""The assignee's staff acknowledge, report progress and complete with evidence; the
issuer cancels. Each step is on the trail and is one audit event; nobody else may act."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.command.models import Task, TaskEvent
from epicommand.command.services import tasks as services
from epicommand.command.services.tasks import Share
from epicommand.core.models import AuditEvent, Counter, Notification, Role
from tests.tokens import live_token

from .task_world import task_world, upload

K = TaskEvent.Kind


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


@pytest.fixture
def task(w):
    (task,) = w.issue(to=[w.gaocheng], hours=8)
    return task


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_acknowledging_stamps_the_time_and_the_trail(w, task):
    at = w.now + timedelta(minutes=12)
    task = services.acknowledge_task(w.gaocheng_office, task, now=at)
    assert (task.status, task.acknowledged_at) == (Task.Status.ACKNOWLEDGED, at)
    event = task.events.get(kind=K.ACKNOWLEDGED)
    assert (event.by, event.at) == (w.gaocheng_office, at)


def test_a_task_is_acknowledged_once(w, task):
    services.acknowledge_task(w.gaocheng_office, task)
    with pytest.raises(ValidationError) as exc:
        services.acknowledge_task(w.gaocheng_office, task)
    assert exc.value.message_dict == {"status": ["the task is already acknowledged"]}


def test_progress_is_reported_as_a_percentage_with_text(w, task):
    services.acknowledge_task(w.gaocheng_office, task)
    task = services.report_progress(w.gaocheng_office, task, percent=40, text="已采样 4 万人")
    assert task.status == Task.Status.IN_PROGRESS
    event = task.events.get(kind=K.PROGRESS)
    assert (event.percent_done, event.text) == (40, "已采样 4 万人")


def test_bad_progress_is_refused_naming_the_fields(w, task):
    services.acknowledge_task(w.gaocheng_office, task)
    with pytest.raises(ValidationError) as exc:
        services.report_progress(w.gaocheng_office, task, percent=140, text="")
    assert set(exc.value.message_dict) == {"percent", "text"}


def test_progress_before_acknowledgement_is_refused(w, task):
    with pytest.raises(ValidationError) as exc:
        services.report_progress(w.gaocheng_office, task, percent=10, text="x")
    assert exc.value.message_dict == {"status": ["acknowledge the task first"]}


def test_completing_keeps_the_evidence_and_tells_the_issuer(w, task):
    services.acknowledge_task(w.gaocheng_office, task)
    at = w.now + timedelta(hours=3)
    task = services.complete_task(
        w.gaocheng_office, task, text="全县完成", evidence=[upload("台账.csv", b"a,b\n")], now=at
    )
    assert (task.status, task.completed_at) == (Task.Status.DONE, at)
    event = task.events.get(kind=K.COMPLETED)
    (evidence,) = event.attachments.all()
    assert (evidence.kind, evidence.name, evidence.file.read()) == (
        "evidence",
        "台账.csv",
        b"a,b\n",
    )
    note = Notification.objects.get(unit=w.city.office)
    assert "全县完成" not in note.message and task.title in note.message


def test_completing_needs_an_account_of_what_was_done(w, task):
    services.acknowledge_task(w.gaocheng_office, task)
    with pytest.raises(ValidationError) as exc:
        services.complete_task(w.gaocheng_office, task, text="  ")
    assert exc.value.message_dict == {"text": ["is required"]}


def test_an_empty_evidence_file_is_refused_naming_it(w, task):
    services.acknowledge_task(w.gaocheng_office, task)
    with pytest.raises(ValidationError) as exc:
        services.complete_task(
            w.gaocheng_office, task, text="完成", evidence=[upload("空.txt", b"")]
        )
    assert exc.value.message_dict == {"evidence": ["空.txt is empty"]}


def test_only_the_assigned_units_staff_work_the_task(w, task, make_user):
    outsider = make_user("other_county", Role.COUNTY_OFFICE, w.city.gaocheng, w.city.gaocheng_cdc)
    for user in (w.changan_office, w.office, outsider):
        with pytest.raises(PermissionDenied):
            services.acknowledge_task(user, task)
    assert Task.objects.get(pk=task.pk).status == Task.Status.ISSUED


def test_an_api_token_may_not_work_a_task(w, task):
    token, _ = live_token(
        name="device", role=Role.COUNTY_OFFICE, unit=w.gaocheng, region=w.city.gaocheng
    )
    with pytest.raises(PermissionDenied):
        services.acknowledge_task(token, task)


def test_the_issuer_cancels_a_task_with_its_open_shares(w, task):
    task = services.acknowledge_task(w.gaocheng_office, task)
    (share,) = services.decompose_task(
        w.gaocheng_office, task, children=[Share(assignee=w.zengcun, title="采样")]
    )
    with pytest.raises(PermissionDenied):
        services.cancel_task(w.gaocheng_office, task, reason="x")  # not the issuer
    cancelled = services.cancel_task(w.office, task, reason="方案调整")
    assert {t.pk for t in cancelled} == {task.pk, share.pk}
    assert set(Task.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Notification.objects.filter(unit=w.zengcun, message__contains="采样").count() == 2


def test_a_cancellation_needs_a_reason(w, task):
    with pytest.raises(ValidationError) as exc:
        services.cancel_task(w.office, task, reason="")
    assert exc.value.message_dict == {"reason": ["is required"]}


def test_every_change_is_one_audit_event(w, task):
    assert actions() == ["task.issue"]
    task = services.acknowledge_task(w.gaocheng_office, task)
    services.report_progress(w.gaocheng_office, task, percent=50, text="过半")
    (share,) = services.decompose_task(
        w.gaocheng_office, task, children=[Share(assignee=w.zengcun, title="采样")]
    )
    services.acknowledge_task(w.zengcun_worker, share)
    services.complete_task(w.zengcun_worker, share, text="完成")
    services.complete_task(w.gaocheng_office, task, text="完成")
    assert actions() == [
        "task.issue",
        "task.acknowledge",
        "task.progress",
        "task.decompose",
        "task.acknowledge",
        "task.complete",
        "task.complete",
    ]
    by_object = AuditEvent.objects.filter(object_id=str(share.pk), object_type="command.task")
    assert by_object.count() == 3


def test_completing_and_cancelling_close_the_open_count(w):
    done, cancelled, still_open = w.issue(to=[w.gaocheng, w.changan, w.health])
    services.acknowledge_task(w.gaocheng_office, done)
    services.complete_task(w.gaocheng_office, done, text="完成")
    services.cancel_task(w.office, cancelled, reason="撤回")
    city = {c.metric: c.value for c in Counter.objects.filter(region_id="130100")}
    assert (city["tasks_issued"], city["tasks_open"], city["tasks_done"]) == (3, 1, 1)
