"""The task pages: the list with overdue badges and filters, the issue form, the detail
page with the tree and the assignee's forms, decomposition, the alerts panel and the
unit's notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.command.models import ResponsiblePerson, Task
from epicommand.command.services import tasks as services
from epicommand.core.models import Notification

from .task_world import login_en as login
from .task_world import task_world, upload


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


def local_input(hours):
    return timezone.localtime(timezone.now() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def html(response):
    return response.content.decode()


def test_the_issue_form_offers_departments_and_county_offices(w):
    response = login(w.office).get("/tasks/new/")
    choices = {unit for unit, _label in response.context["form"].fields["assignees"].choices}
    assert {c.instance for c in choices} == {w.health, w.gaocheng, w.changan}


def test_a_county_office_is_offered_its_townships_and_departments(w):
    response = login(w.gaocheng_office).get("/tasks/new/")
    choices = response.context["form"].fields["assignees"].choices
    assert {c.instance for c, _ in choices} == {w.zengcun, w.city.gaocheng_cdc}


def test_the_office_issues_from_the_form_with_a_brief(w):
    response = login(w.office).post(
        "/tasks/new/",
        {
            "title": "核查密接管控",
            "text": "逐人核对",
            "priority": "1",
            "deadline": local_input(6),
            "assignees": [w.gaocheng.pk, w.changan.pk],
            "attachments": [upload("方案.txt", b"plan")],
        },
    )
    assert response.status_code == 302
    tasks = Task.objects.order_by("region_id")
    assert [(t.assignee, t.priority, t.attachments.count()) for t in tasks] == [
        (w.changan, 1, 1),
        (w.gaocheng, 1, 1),
    ]


def test_a_past_deadline_is_shown_on_its_field(w):
    response = login(w.office).post(
        "/tasks/new/",
        {"title": "x", "priority": "3", "deadline": local_input(-1), "assignees": [w.gaocheng.pk]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["deadline"] == ["must be in the future"]


def test_the_list_flags_overdue_tasks_and_filters_them(w):
    late, on_time = w.issue(to=[w.gaocheng, w.changan], hours=2)
    Task.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
    client = login(w.office)
    page = html(client.get("/tasks/"))
    assert page.count('class="badge bad">overdue<') == 1
    overdue = client.get("/tasks/", {"overdue": "on"}).context["tasks"]
    assert [t.pk for t in overdue] == [late.pk]
    issued = client.get("/tasks/", {"status": "open", "assignee": w.changan.pk}).context["tasks"]
    assert [t.pk for t in issued] == [on_time.pk]


def test_a_bad_filter_shows_no_rows_rather_than_all(w):
    w.issue(to=[w.gaocheng])
    response = login(w.office).get("/tasks/", {"status": "nonsense"})
    assert response.status_code == 200 and response.context["tasks"] == []


def test_the_assignee_acknowledges_reports_and_completes_on_the_detail_page(w):
    (task,) = w.issue(to=[w.gaocheng])
    client = login(w.gaocheng_office)
    page = html(client.get(f"/tasks/{task.pk}/"))
    assert f'action="/tasks/{task.pk}/acknowledge/"' in page
    assert client.post(f"/tasks/{task.pk}/acknowledge/").status_code == 302
    progress = client.post(f"/tasks/{task.pk}/progress/", {"percent": "50", "text": "过半"})
    assert progress.status_code == 302
    done = client.post(
        f"/tasks/{task.pk}/complete/", {"text": "完成", "evidence": [upload("照片.txt", b"x")]}
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    page = html(login(w.office).get(f"/tasks/{task.pk}/"))
    assert "照片.txt" in page and "badge ok" in page


def test_the_issuer_sees_no_assignee_forms(w):
    (task,) = w.issue(to=[w.gaocheng])
    page = html(login(w.office).get(f"/tasks/{task.pk}/"))
    assert "/acknowledge/" not in page and "/complete/" not in page
    assert f'action="/tasks/{task.pk}/cancel/"' in page


def test_bad_progress_is_shown_on_the_form(w):
    (task,) = w.issue(to=[w.gaocheng])
    services.acknowledge_task(w.gaocheng_office, task)
    response = login(w.gaocheng_office).post(
        f"/tasks/{task.pk}/progress/", {"percent": "140", "text": ""}
    )
    assert response.status_code == 400
    assert set(response.context["progress_form"].errors) == {"percent", "text"}


def test_completing_with_an_open_share_is_refused_with_the_share_named(w):
    (task,) = w.issue(to=[w.gaocheng])
    task = services.acknowledge_task(w.gaocheng_office, task)
    services.decompose_task(
        w.gaocheng_office, task, children=[services.Share(assignee=w.zengcun, title="增村采样")]
    )
    response = login(w.gaocheng_office).post(f"/tasks/{task.pk}/complete/", {"text": "完成"})
    assert response.status_code == 400
    assert "增村采样" in html(response)
    # The task's state, said once and without a name the form does not have (issue 14).
    assert "children" not in html(response) and "status:" not in html(response)
    assert Task.objects.get(pk=task.pk).status == "in_progress"


def test_the_decompose_form_issues_the_filled_rows(w):
    (task,) = w.issue(to=[w.gaocheng], hours=10)
    services.acknowledge_task(w.gaocheng_office, task)
    client = login(w.gaocheng_office)
    assert client.get(f"/tasks/{task.pk}/decompose/").status_code == 200
    data = {
        "share-TOTAL_FORMS": "2",
        "share-INITIAL_FORMS": "0",
        "share-0-assignee": str(w.zengcun.pk),
        "share-0-title": "增村镇采样",
        "share-0-deadline": local_input(5),
        "share-1-assignee": "",
        "share-1-title": "",
    }
    assert client.post(f"/tasks/{task.pk}/decompose/", data).status_code == 302
    (share,) = Task.objects.filter(parent=task)
    assert (share.assignee, share.title) == (w.zengcun, "增村镇采样")
    page = html(client.get(f"/tasks/{task.pk}/"))
    assert "增村镇采样" in page and "0/1" in page


def test_a_share_due_after_the_task_is_shown_on_its_row(w):
    (task,) = w.issue(to=[w.gaocheng], hours=10)
    services.acknowledge_task(w.gaocheng_office, task)
    data = {
        "share-TOTAL_FORMS": "1",
        "share-INITIAL_FORMS": "0",
        "share-0-assignee": str(w.zengcun.pk),
        "share-0-title": "增村镇采样",
        "share-0-deadline": local_input(20),
    }
    response = login(w.gaocheng_office).post(f"/tasks/{task.pk}/decompose/", data)
    assert response.status_code == 400
    assert "deadline" in response.context["formset"].forms[0].errors


def test_the_alerts_panel_raises_a_task_in_one_click(w):
    w.issue(to=[w.gaocheng], hours=1)
    Task.objects.update(deadline=timezone.now() - timedelta(hours=1))
    client = login(w.office)
    page = html(client.get("/tasks/"))
    assert 'name="key" value="overdue-tasks-130109"' in page
    response = client.post("/tasks/alerts/raise/", {"key": "overdue-tasks-130109"})
    raised = Task.objects.get(source_key="overdue-tasks-130109")
    assert response["Location"] == f"/tasks/{raised.pk}/"
    assert "already raised" in html(client.get("/tasks/"))


def test_the_layout_counts_the_units_unread_notifications_and_the_page_reads_them(w):
    w.issue(to=[w.gaocheng], title="甲")
    w.issue(to=[w.gaocheng], title="乙")
    client = login(w.gaocheng_office)
    assert client.get("/tasks/").context["unread_notifications"] == 2
    page = client.get("/notifications/")
    assert "甲" in html(page) and "乙" in html(page)
    assert not Notification.objects.filter(unit=w.gaocheng, read_at__isnull=True).exists()
    assert client.get("/tasks/").context["unread_notifications"] == 0


def test_opening_a_notification_goes_to_its_task(w):
    (task,) = w.issue(to=[w.gaocheng])
    note = Notification.objects.get(unit=w.gaocheng)
    response = login(w.gaocheng_office).get(f"/notifications/{note.pk}/")
    assert response["Location"] == f"/tasks/{task.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_only_the_assigned_unit_opens_the_decompose_form(w):
    (task,) = w.issue(to=[w.gaocheng])
    assert login(w.office).get(f"/tasks/{task.pk}/decompose/").status_code == 403


def test_roles_without_tasks_get_403(w, gaocheng_epi):
    assert login(gaocheng_epi).get("/tasks/").status_code == 403
    assert login(w.zengcun_worker).get("/tasks/new/").status_code == 403


def test_every_task_and_share_shows_whose_it_is(w):
    ResponsiblePerson.objects.create(
        unit=w.gaocheng, duty=ResponsiblePerson.Duty.FIRST_RESPONSIBLE, name="王建国", post="主任"
    )
    (task,) = w.issue(to=[w.gaocheng])
    task = services.acknowledge_task(w.gaocheng_office, task)
    services.decompose_task(
        w.gaocheng_office, task, children=[services.Share(assignee=w.zengcun, title="采样")]
    )
    client = login(w.office)
    assert "王建国" in html(client.get("/tasks/"))
    detail = client.get(f"/tasks/{task.pk}/")
    owners = [n.task.responsible for n in detail.context["tree"]]
    assert [o.name if o else None for o in owners] == ["王建国", None]
    assert "no first responsible person set" in html(detail)  # Zengcun has none yet


def test_the_dashboards_links_open_the_tasks_they_count(w):
    yesterday = w.now - timedelta(days=1)
    old, done_today = w.issue(to=[w.gaocheng, w.changan], now=yesterday, hours=48)
    (today,) = w.issue(to=[w.gaocheng])
    services.acknowledge_task(w.changan_office, done_today)
    services.complete_task(w.changan_office, done_today, text="完成")
    client = login(w.office)
    day = timezone.localdate(w.now).isoformat()

    def listed(**params):
        return {t.pk for t in client.get("/tasks/", params).context["tasks"]}

    assert listed(region="130100", issued=day) == {today.pk}
    assert listed(region="130109") == {old.pk, today.pk}
    assert listed(region="130102", done=day) == {done_today.pk}
    assert listed(region="130100", status="open") == {old.pk, today.pk}
    assert listed(region="999999") == set()
