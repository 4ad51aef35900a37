"""The platform's own state raises tasks in one click: overdue tasks per county for the
city office, per township for a county; the same alert is not raised twice while the
task raised from it is open."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from epicommand.command import alerts
from epicommand.command.alerts import current_alerts
from epicommand.command.services import tasks as services
from epicommand.command.services.tasks import raise_task_from_state

from .task_world import task_world


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


def later(w, hours=3):
    return w.now + timedelta(hours=hours)


def test_the_city_office_sees_overdue_tasks_per_county(w):
    w.issue(to=[w.gaocheng], hours=1, title="a")
    w.issue(to=[w.gaocheng], hours=2, title="b")
    w.issue(to=[w.changan], hours=5)
    w.issue(to=[w.health], hours=1)  # a city department's: no county to ask
    (alert,) = current_alerts(w.office, now=later(w))
    assert (alert.key, alert.title, alert.assignee) == (
        "overdue-tasks-130109",
        "藁城区: 2 tasks overdue",
        w.gaocheng,
    )
    assert alert.deadline == later(w) + timedelta(hours=alerts.ALERT_TASK_HOURS)
    assert alert.open_task_id is None


def test_a_county_sees_them_per_township(w):
    (task,) = w.issue(to=[w.gaocheng], hours=8)
    task = services.acknowledge_task(w.gaocheng_office, task)
    services.decompose_task(
        w.gaocheng_office,
        task,
        children=[services.Share(assignee=w.zengcun, title="采样", deadline=later(w, 1))],
    )
    (alert,) = current_alerts(w.gaocheng_office, now=later(w, 2))
    assert (alert.key, alert.assignee) == ("overdue-tasks-130109104", w.zengcun)
    assert current_alerts(w.changan_office, now=later(w, 2)) == []


def test_roles_that_do_not_issue_get_no_alerts(w):
    w.issue(to=[w.gaocheng], hours=1)
    assert current_alerts(w.zengcun_worker, now=later(w)) == []
    assert current_alerts(w.health_officer, now=later(w)) == []


def test_an_alert_is_raised_once_while_its_task_is_open(w):
    w.issue(to=[w.gaocheng], hours=1)
    (alert,) = current_alerts(w.office, now=later(w))
    task = raise_task_from_state(w.office, alert, now=later(w))
    assert (task.assignee, task.source_key, task.priority) == (w.gaocheng, alert.key, 2)
    assert task.title == "藁城区: 1 task overdue"
    (again,) = current_alerts(w.office, now=later(w))
    assert again.open_task_id == task.pk
    with pytest.raises(ValidationError) as exc:
        raise_task_from_state(w.office, again, now=later(w))
    assert exc.value.message_dict == {"key": [f"already raised as task {task.pk}, still open"]}


def test_once_the_raised_task_is_done_the_alert_may_be_raised_again(w):
    w.issue(to=[w.gaocheng], hours=1)
    (alert,) = current_alerts(w.office, now=later(w))
    task = raise_task_from_state(w.office, alert, now=later(w))
    services.acknowledge_task(w.gaocheng_office, task, now=later(w, 4))
    services.complete_task(w.gaocheng_office, task, text="已督办", now=later(w, 5))
    (alert,) = current_alerts(w.office, now=later(w, 6))
    assert alert.open_task_id is None
    assert raise_task_from_state(w.office, alert, now=later(w, 6)).pk != task.pk


def test_alert_producers_are_a_list_each_module_adds_to(w, monkeypatch):
    def quiet_county(actor, now):
        return [
            alerts.Alert(
                key="test-quiet",
                title="长安区: 测试",
                text="",
                assignee=w.changan,
                deadline=now + timedelta(hours=1),
            )
        ]

    monkeypatch.setattr(alerts, "ALERT_PRODUCERS", [*alerts.ALERT_PRODUCERS, quiet_county])
    keys = [a.key for a in current_alerts(w.office, now=later(w))]
    assert keys == ["test-quiet"]
