"""A county sees only its own tasks: another county's task is missing from its lists and
is 404 through every page and API route, whatever the route would do."""

import pytest

from epicommand.command.models import TaskAttachment
from epicommand.command.services import tasks as services
from epicommand.core.models import Notification
from tests.conftest import login

from .task_world import task_world, upload


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


@pytest.fixture
def tasks(w):
    gaocheng, changan = w.issue(
        to=[w.gaocheng, w.changan], title="核查密接", attachments=[upload()]
    )
    return gaocheng, changan


def test_the_county_task_list_holds_its_own_tasks_only(w, tasks):
    gaocheng, changan = tasks
    html = login(w.gaocheng_office).get("/tasks/").content.decode()
    assert f'href="/tasks/{gaocheng.pk}/"' in html
    assert f'href="/tasks/{changan.pk}/"' not in html


def test_the_city_office_sees_every_county(w, tasks):
    html = login(w.office).get("/tasks/").content.decode()
    for task in tasks:
        assert f'href="/tasks/{task.pk}/"' in html


def test_the_api_lists_only_the_counties_own_tasks(w, tasks):
    client = login(w.gaocheng_office)
    for url in ("/api/v1/tasks", "/api/v1/tasks/overdue?limit=5", "/api/v1/tasks?status=open"):
        ids = {t["id"] for t in client.get(url).json()["items"]}
        assert tasks[1].pk not in ids, url
    assert {t["id"] for t in client.get("/api/v1/tasks").json()["items"]} == {tasks[0].pk}


def other_county_routes(task, attachment):
    t, a = task.pk, attachment.pk
    return [
        ("get", f"/tasks/{t}/", None),
        ("get", f"/tasks/{t}/decompose/", None),
        ("get", f"/tasks/{t}/files/{a}/", None),
        ("post", f"/tasks/{t}/acknowledge/", {}),
        ("post", f"/tasks/{t}/progress/", {"percent": 10, "text": "x"}),
        ("post", f"/tasks/{t}/complete/", {"text": "x"}),
        ("post", f"/tasks/{t}/cancel/", {"reason": "x"}),
        ("post", f"/tasks/{t}/decompose/", {}),
        ("get", f"/api/v1/tasks/{t}", None),
        ("get", f"/api/v1/tasks/{t}/attachments/{a}", None),
        ("post", f"/api/v1/tasks/{t}/acknowledge", None),
        ("post", f"/api/v1/tasks/{t}/progress", {"percent": 10, "text": "x"}),
        ("post", f"/api/v1/tasks/{t}/complete", {"text": "x"}),
        ("post", f"/api/v1/tasks/{t}/cancel", {"reason": "x"}),
        ("post", f"/api/v1/tasks/{t}/decompose", {"children": [{"assignee_id": 1, "title": "x"}]}),
    ]


def test_another_countys_task_is_404_on_every_route(w, tasks):
    changan_task = tasks[1]
    attachment = TaskAttachment.objects.get(task=changan_task)
    client = login(w.gaocheng_office)
    for method, url, data in other_county_routes(changan_task, attachment):
        if method == "get":
            response = client.get(url)
        elif url.startswith("/api/") and not url.endswith("/complete"):
            response = client.post(url, data or {}, content_type="application/json")
        else:
            response = client.post(url, data or {})
        assert response.status_code == 404, (method, url, response.status_code)
    changan_task.refresh_from_db()
    assert changan_task.status == "issued"


def test_the_same_routes_answer_inside_the_county(w, tasks):
    changan_task = tasks[1]
    attachment = TaskAttachment.objects.get(task=changan_task)
    client = login(w.changan_office)
    assert client.get(f"/tasks/{changan_task.pk}/").status_code == 200
    assert client.get(f"/api/v1/tasks/{changan_task.pk}").status_code == 200
    download = client.get(f"/tasks/{changan_task.pk}/files/{attachment.pk}/")
    assert (download.status_code, b"".join(download.streaming_content)) == (200, b"sampling done")


def test_a_township_sees_its_share_but_not_the_countys_task(w, tasks):
    task = services.acknowledge_task(w.gaocheng_office, tasks[0])
    (share,) = services.decompose_task(
        w.gaocheng_office, task, children=[services.Share(assignee=w.zengcun, title="采样")]
    )
    client = login(w.zengcun_worker)
    assert client.get(f"/tasks/{share.pk}/").status_code == 200
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert [t["id"] for t in client.get("/api/v1/tasks").json()["items"]] == [share.pk]


def test_another_units_notification_is_404(w, tasks):
    note = Notification.objects.get(unit=w.changan)
    assert login(w.gaocheng_office).get(f"/notifications/{note.pk}/").status_code == 404
    assert login(w.changan_office).get(f"/notifications/{note.pk}/").status_code == 302
