"""/api/v1/tasks: issue, decompose, the assignee's steps (completion with multipart
evidence), the tree, alerts; errors name the field; tokens read only."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.command.models import Task, TaskAttachment
from epicommand.core.models import AuditEvent, Role
from tests.conftest import login
from tests.tokens import live_token

from .task_world import task_world, upload


@pytest.fixture
def w(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return task_world(city, make_user, city_office)


def in_hours(n):
    return (timezone.now() + timedelta(hours=n)).isoformat()


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def issue(w, *units, hours=8, **extra):
    body = {
        "title": "开展全员核酸检测",
        "deadline": in_hours(hours),
        "assignee_ids": [u.pk for u in units],
        **extra,
    }
    return post(login(w.office), "/api/v1/tasks", body)


def test_the_office_issues_one_task_per_unit(w):
    response = issue(w, w.gaocheng, w.changan, priority=1)
    assert response.status_code == 201
    items = response.json()
    assert [(t["assignee"]["id"], t["region_code"], t["priority"]) for t in items] == [
        (w.gaocheng.pk, "130109", 1),
        (w.changan.pk, "130102", 1),
    ]
    assert items[0]["status"] == "issued" and items[0]["overdue"] is False


def test_bad_input_is_refused_naming_each_field(w):
    response = issue(w, w.gaocheng, hours=-2, title="")
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"title", "deadline"}


def test_an_unknown_or_forbidden_unit_is_named(w):
    response = issue(w, w.gaocheng, assignee_ids=[w.gaocheng.pk, 99999])
    assert response.json()["errors"] == [
        {"field": "assignee_ids", "message": "unknown unit id: 99999"}
    ]
    response = issue(w, w.zengcun)
    assert response.json()["errors"][0]["field"] == "assignees"


def test_a_schema_error_names_the_field(w):
    response = post(login(w.office), "/api/v1/tasks", {"title": "x", "assignee_ids": []})
    fields = {e["field"] for e in response.json()["errors"]}
    assert response.status_code == 422 and {"deadline", "assignee_ids"} <= fields


def test_the_county_works_its_task_through_the_api(w):
    (task_id,) = [t["id"] for t in issue(w, w.gaocheng).json()]
    county = login(w.gaocheng_office)
    base = f"/api/v1/tasks/{task_id}"
    assert post(county, base + "/acknowledge").json()["status"] == "acknowledged"
    progress = post(county, base + "/progress", {"percent": 30, "text": "三成"})
    assert progress.json()["status"] == "in_progress"
    shares = post(
        county,
        base + "/decompose",
        {"children": [{"assignee_id": w.zengcun.pk, "title": "增村镇采样"}]},
    )
    assert shares.status_code == 201
    (share,) = shares.json()
    refused = county.post(base + "/complete", {"text": "完成"})
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == "status"  # the task's own state: a share is still open
    assert "增村镇采样" in error["message"]

    worker = login(w.zengcun_worker)
    post(worker, f"/api/v1/tasks/{share['id']}/acknowledge")
    done = worker.post(
        f"/api/v1/tasks/{share['id']}/complete",
        {"text": "采样完成", "evidence": [upload("a.txt", b"a"), upload("b.txt", b"b")]},
    )
    assert (done.status_code, done.json()["status"]) == (200, "done")
    assert TaskAttachment.objects.filter(task_id=share["id"], kind="evidence").count() == 2
    assert county.post(base + "/complete", {"text": "全县完成"}).json()["status"] == "done"

    detail = login(w.office).get(base).json()
    assert [(n["depth"], n["status"]) for n in detail["tree"]] == [(0, "done"), (1, "done")]
    assert (detail["tree"][0]["children_done"], detail["tree"][0]["children_total"]) == (1, 1)
    assert detail["tree"][0]["acknowledge_seconds"] >= 0
    assert [e["kind"] for e in detail["events"]] == [
        "issued",
        "acknowledged",
        "progress",
        "decomposed",
        "completed",
    ]


def test_evidence_is_downloaded_and_the_opening_is_audited(w):
    (task_id,) = [t["id"] for t in issue(w, w.gaocheng).json()]
    county = login(w.gaocheng_office)
    post(county, f"/api/v1/tasks/{task_id}/acknowledge")
    county.post(f"/api/v1/tasks/{task_id}/complete", {"text": "完成", "evidence": upload()})
    (attachment,) = login(w.office).get(f"/api/v1/tasks/{task_id}").json()["attachments"]
    response = login(w.office).get(f"/api/v1/tasks/{task_id}/attachments/{attachment['id']}")
    assert b"".join(response.streaming_content) == b"sampling done"
    assert AuditEvent.objects.filter(action="task.attachment.view").count() == 1


def test_someone_elses_step_is_forbidden(w):
    (task_id,) = [t["id"] for t in issue(w, w.gaocheng).json()]
    response = post(login(w.office), f"/api/v1/tasks/{task_id}/acknowledge")
    assert response.status_code == 403


def test_a_token_reads_tasks_but_changes_nothing(w):
    (task_id,) = [t["id"] for t in issue(w, w.gaocheng).json()]
    _, secret = live_token(
        name="dash", role=Role.COUNTY_OFFICE, unit=w.gaocheng, region=w.city.gaocheng
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    assert client.get("/api/v1/tasks", **headers).json()["items"][0]["id"] == task_id
    assert client.get("/api/v1/tasks/alerts", **headers).status_code == 200
    ack = client.post(f"/api/v1/tasks/{task_id}/acknowledge", **headers)
    assert ack.status_code == 403
    assert Task.objects.get(pk=task_id).status == "issued"


def test_pages_follow_the_cursor(w):
    issue(w, w.gaocheng)
    issue(w, w.changan)
    issue(w, w.health)
    client = login(w.office)
    first = client.get("/api/v1/tasks", {"limit": 2}).json()
    second = client.get("/api/v1/tasks", {"limit": 2, "after": first["next_after"]}).json()
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert ids == sorted(Task.objects.values_list("id", flat=True), reverse=True)
    assert second["next_after"] is None


def test_alerts_are_listed_and_raised_once(w):
    issue(w, w.gaocheng, w.changan)
    Task.objects.filter(assignee=w.gaocheng).update(deadline=timezone.now() - timedelta(hours=1))
    client = login(w.office)
    (alert,) = client.get("/api/v1/tasks/alerts").json()
    assert (alert["key"], alert["assignee"]["id"]) == ("overdue-tasks-130109", w.gaocheng.pk)
    raised = post(client, "/api/v1/tasks/alerts/raise", {"key": alert["key"]})
    assert raised.status_code == 201
    assert raised.json()["source_key"] == "overdue-tasks-130109"
    again = post(client, "/api/v1/tasks/alerts/raise", {"key": alert["key"]})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "key"
    unknown = post(client, "/api/v1/tasks/alerts/raise", {"key": "nothing"})
    assert unknown.json()["errors"] == [{"field": "key", "message": "no such alert now"}]


def test_the_list_narrows_to_a_region_and_refuses_a_malformed_one(w):
    issue(w, w.gaocheng, w.changan)
    client = login(w.office)
    items = client.get("/api/v1/tasks", {"region": "130109"}).json()["items"]
    assert [t["region_code"] for t in items] == ["130109"]
    city = client.get("/api/v1/tasks", {"region": "130100"}).json()["items"]
    assert len(city) == 2
    bad = client.get("/api/v1/tasks", {"region": "13x"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "region")


def test_ids_beyond_a_database_integer_are_refused_not_a_crash(w):
    client = login(w.office)
    huge = str(2**64)
    assert client.get("/api/v1/tasks", {"assignee": huge}).status_code == 422
    assert client.get("/api/v1/tasks", {"after": huge}).status_code == 422
    assert client.get(f"/api/v1/tasks/{huge}").status_code == 404


@pytest.mark.parametrize("field", ["issued", "done"])
def test_a_day_before_any_record_is_refused_naming_the_field_not_a_crash(w, field):
    """Midnight of 0001-01-01 in Beijing is before year 1 in UTC: schemathesis found the
    500 this used to give."""
    response = login(w.office).get("/api/v1/tasks", {field: "0001-01-01"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, field)
    day = login(w.office).get("/api/v1/tasks", {field: "2021-01-12"})
    assert day.status_code == 200
