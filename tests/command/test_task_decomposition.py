"""A county decomposes its share to its townships; a parent is done only when every share
is done or cancelled; the tree shows each node's status, its shares' done/total and how
long each step took."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.command.models import Task, TaskEvent
from epicommand.command.queries import task_tree
from epicommand.command.services import tasks as services
from epicommand.command.services.tasks import Share
from epicommand.core.models import AuditEvent, Notification

from .task_world import task_world


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


@pytest.fixture
def county_task(w):
    (task,) = w.issue(to=[w.gaocheng], hours=10)
    return services.acknowledge_task(w.gaocheng_office, task, now=w.now + timedelta(minutes=20))


@pytest.fixture
def county_cdc(w):
    return w.city.gaocheng_cdc


def minutes(n):
    return timedelta(minutes=n)


def decompose(w, task, *units, hours=5, at=30):
    shares = [
        Share(assignee=u, title=f"{u.name}的任务", deadline=w.now + timedelta(hours=hours))
        for u in units
    ]
    return services.decompose_task(
        w.gaocheng_office, task, children=shares, now=w.now + minutes(at)
    )


def test_the_assignee_decomposes_its_share_to_a_township_and_a_department(
    w, county_task, county_cdc
):
    kids = decompose(w, county_task, w.zengcun, county_cdc)
    assert [(k.parent, k.assignee, k.region_id, k.issuing_unit) for k in kids] == [
        (county_task, w.zengcun, "130109104", w.gaocheng),
        (county_task, county_cdc, "130109", w.gaocheng),
    ]
    county_task.refresh_from_db()
    assert county_task.status == Task.Status.IN_PROGRESS
    assert [e.kind for e in county_task.events.all()][-1] == TaskEvent.Kind.DECOMPOSED
    assert Notification.objects.filter(unit=w.zengcun, url=f"/tasks/{kids[0].pk}/").exists()
    assert AuditEvent.objects.filter(action="task.decompose").count() == 2


def test_a_share_may_not_be_due_after_the_parent(w, county_task):
    with pytest.raises(ValidationError) as exc:
        decompose(w, county_task, w.zengcun, hours=11)
    assert list(exc.value.message_dict) == ["children[0].deadline"]
    assert "parent task's deadline" in exc.value.message_dict["children[0].deadline"][0]


def test_a_share_without_a_deadline_takes_the_parents(w, county_task):
    (kid,) = services.decompose_task(
        w.gaocheng_office, county_task, children=[Share(assignee=w.zengcun, title="采样")]
    )
    assert (kid.deadline, kid.priority) == (county_task.deadline, county_task.priority)


def test_shares_go_only_to_units_inside_the_assignees_region(w, county_task):
    with pytest.raises(ValidationError) as exc:
        decompose(w, county_task, w.zengcun, w.jianbei)
    assert list(exc.value.message_dict) == ["children[1].assignee"]
    assert not Task.objects.filter(parent=county_task).exists()


def test_only_the_assigned_unit_decomposes(w, county_task):
    with pytest.raises(PermissionDenied):
        services.decompose_task(
            w.changan_office, county_task, children=[Share(assignee=w.zengcun, title="x")]
        )
    with pytest.raises(PermissionDenied):
        services.decompose_task(
            w.office, county_task, children=[Share(assignee=w.zengcun, title="x")]
        )


def test_an_unacknowledged_task_is_acknowledged_before_it_is_decomposed(w):
    (task,) = w.issue(to=[w.gaocheng])
    with pytest.raises(ValidationError) as exc:
        decompose(w, task, w.zengcun)
    assert exc.value.message_dict == {"status": ["acknowledge the task first"]}


def test_completing_a_parent_with_an_open_share_is_refused_naming_the_share(w, county_task):
    (kid,) = decompose(w, county_task, w.zengcun)
    with pytest.raises(ValidationError) as exc:
        services.complete_task(w.gaocheng_office, county_task, text="完成")
    (reason,) = exc.value.message_dict["status"]
    assert "增村镇人民政府" in reason and kid.title in reason
    county_task.refresh_from_db()
    assert county_task.status == Task.Status.IN_PROGRESS


def test_when_every_share_is_done_or_cancelled_the_parent_completes(w, county_task, county_cdc):
    zengcun_share, cdc_share = decompose(w, county_task, w.zengcun, county_cdc)
    services.acknowledge_task(w.zengcun_worker, zengcun_share, now=w.now + minutes(60))
    services.complete_task(
        w.zengcun_worker, zengcun_share, text="采样完成", now=w.now + minutes(150)
    )
    services.cancel_task(
        w.gaocheng_office, cdc_share, reason="改由乡镇负责", now=w.now + minutes(160)
    )
    done = services.complete_task(
        w.gaocheng_office, county_task, text="全县完成", now=w.now + minutes(200)
    )
    assert (done.status, done.completed_at) == (Task.Status.DONE, w.now + minutes(200))


def test_the_tree_rolls_up_status_shares_and_step_times(w, county_task, county_cdc):
    zengcun_share, cdc_share = decompose(w, county_task, w.zengcun, county_cdc)
    services.acknowledge_task(w.zengcun_worker, zengcun_share, now=w.now + minutes(45))
    services.complete_task(w.zengcun_worker, zengcun_share, text="完成", now=w.now + minutes(165))
    county_task.refresh_from_db()
    tree = task_tree(w.office, county_task, now=w.now + minutes(170))
    rows = [
        (n.depth, n.task.assignee.name, n.task.status, n.children_done, n.children_total)
        for n in tree
    ]
    assert rows == [
        (0, "藁城区疫情防控指挥部办公室", "in_progress", 1, 2),
        (1, "增村镇人民政府", "done", 0, 0),
        (1, "藁城区疾控中心", "issued", 0, 0),
    ]
    root, zengcun, cdc = tree
    assert (root.acknowledge_took, root.completion_took) == ("20 min", "")
    assert (zengcun.acknowledge_took, zengcun.completion_took) == ("15 min", "2 h 00 min")
    assert cdc.acknowledge_time is None


def test_a_cancelled_share_leaves_the_total(w, county_task, county_cdc):
    _, cdc_share = decompose(w, county_task, w.zengcun, county_cdc)
    services.cancel_task(w.gaocheng_office, cdc_share, reason="重复", now=w.now + minutes(40))
    root = task_tree(w.office, county_task)[0]
    assert (root.children_done, root.children_total) == (0, 1)


def test_the_tree_costs_one_query_per_level(w, county_task, county_cdc, django_assert_num_queries):
    decompose(w, county_task, w.zengcun, county_cdc)
    # Levels 1 and 2 (the second is empty).
    with django_assert_num_queries(2):
        task_tree(w.office, county_task)


def test_a_depth_bound_still_counts_the_shares_below(w, county_task, county_cdc):
    decompose(w, county_task, w.zengcun, county_cdc)
    tree = task_tree(w.office, county_task, max_depth=0)
    assert [(n.depth, n.children_total) for n in tree] == [(0, 2)]


def test_a_county_sees_its_part_of_the_tree(w, county_task):
    (kid,) = decompose(w, county_task, w.zengcun)
    assert [n.task for n in task_tree(w.gaocheng_office, county_task)] == [county_task, kid]
    assert [n.task for n in task_tree(w.zengcun_worker, kid)] == [kid]
