"""The office issues one task per assigned unit, in the unit's region, with its trail,
audit event, notification and counters; bad input is refused naming the field."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.command.models import Task, TaskAttachment, TaskEvent
from epicommand.command.queries import assignable_units
from epicommand.command.services.tasks import issue_task
from epicommand.core.models import AuditEvent, Counter, Notification, Role, Unit

from .task_world import task_world, upload


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


def test_one_task_is_issued_to_each_unit_in_the_units_region(w):
    tasks = w.issue(to=[w.gaocheng, w.changan, w.health], text="今日完成", priority=1)
    assert [(t.assignee, t.region_id) for t in tasks] == [
        (w.gaocheng, "130109"),
        (w.changan, "130102"),
        (w.health, "130100"),
    ]
    for task in tasks:
        assert (task.issuing_unit, task.issued_by, task.status) == (
            w.city.office,
            w.office,
            "issued",
        )
        assert [e.kind for e in task.events.all()] == [TaskEvent.Kind.ISSUED]


def test_each_assigned_unit_is_notified_with_a_link_to_its_task(w):
    (task,) = w.issue(to=[w.gaocheng], title="核查密接")
    (note,) = Notification.objects.filter(unit=w.gaocheng)
    assert note.url == f"/tasks/{task.pk}/"
    assert "核查密接" in note.message


def test_issuing_writes_one_audit_event_per_task(w):
    tasks = w.issue(to=[w.gaocheng, w.changan])
    events = AuditEvent.objects.filter(action="task.issue")
    assert sorted((e.object_id, e.region_id) for e in events) == sorted(
        (str(t.pk), t.region_id) for t in tasks
    )


def test_issuing_counts_the_tasks_for_the_county_and_the_city(w):
    w.issue(to=[w.gaocheng, w.changan, w.health])
    figures = {(c.region_id, c.metric): c.value for c in Counter.objects.all()}
    assert figures[("130109", "tasks_issued")] == 1
    assert figures[("130102", "tasks_open")] == 1
    assert figures[("130100", "tasks_issued")] == 3


def test_brief_files_go_with_every_task(w):
    tasks = w.issue(to=[w.gaocheng, w.changan], attachments=[upload("方案.txt", b"plan")])
    for task in tasks:
        (brief,) = TaskAttachment.objects.filter(task=task)
        assert (brief.kind, brief.name) == ("brief", "方案.txt")
        assert brief.file.name.startswith(f"tasks/{task.pk}/")
        assert brief.file.read() == b"plan"


def test_a_deadline_in_the_past_is_refused_naming_the_field(w):
    with pytest.raises(ValidationError) as exc:
        w.issue(to=[w.gaocheng], hours=-1)
    assert exc.value.message_dict == {"deadline": ["must be in the future"]}
    assert not Task.objects.exists()


def test_every_bad_field_is_named_at_once(w):
    with pytest.raises(ValidationError) as exc:
        w.issue(to=[], title=" ", priority=7)
    assert set(exc.value.message_dict) == {"title", "priority", "assignees"}


def test_the_city_office_issues_to_departments_and_county_offices_only(w):
    units = set(assignable_units(w.city.office, w.city.sjz))
    assert units == {w.health, w.gaocheng, w.changan}  # not townships, not itself
    with pytest.raises(ValidationError) as exc:
        w.issue(to=[w.zengcun])
    assert "增村镇人民政府" in exc.value.message_dict["assignees"][0]


def test_a_county_office_issues_inside_its_own_county_only(w):
    (task,) = w.issue(actor=w.gaocheng_office, to=[w.zengcun])
    assert (task.issuing_unit, task.region_id) == (w.gaocheng, w.city.zengcun.code)
    with pytest.raises(ValidationError) as exc:
        w.issue(actor=w.gaocheng_office, to=[w.jianbei])
    assert "assignees" in exc.value.message_dict


def test_roles_without_the_right_to_issue_are_refused(w, gaocheng_epi):
    for user in (gaocheng_epi, w.zengcun_worker):
        with pytest.raises(PermissionDenied):
            w.issue(actor=user, to=[w.zengcun])


def test_a_deadline_without_a_zone_is_read_as_beijing_time(w):
    naive = (timezone.localtime(w.now) + timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    (task,) = issue_task(w.office, title="t", deadline=naive, assignees=[w.gaocheng])
    beijing = task.deadline.astimezone(ZoneInfo("Asia/Shanghai"))
    assert beijing.replace(tzinfo=None) == naive


def test_a_leader_issues_from_the_leading_group(make_user, w):
    group = Unit.objects.create(name="领导小组", kind=Unit.Kind.LEADING_GROUP, region=w.city.sjz)
    leader = make_user("mayor", Role.LEADER, w.city.sjz, group)
    (task,) = w.issue(actor=leader, to=[w.gaocheng])
    assert task.issuing_unit == group
