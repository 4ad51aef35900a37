"""/api/v1/quarantine/violations: multipart create with a photo, refer, close, list, get,
photo; errors name the field; another district gets 404."""

import pytest

from epicommand.core.models import AuditEvent, Notification
from epicommand.quarantine.models import Violation
from tests.conftest import login

from .monitoring_world import (  # noqa: F401
    monitoring_world,
    png_upload,
    text_upload,
)

API = "/api/v1/quarantine/violations"


@pytest.fixture
def world(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return monitoring_world(city, make_user, city_office)


def create(client, person, **extra):
    data = {"person_id": person.pk, "kind": "left", "description": "擅自离开"} | extra
    return client.post(API, data)


def test_create_with_a_photo_then_refer_and_close(world, gaocheng_person):
    client = login(world.manager)
    response = create(client, gaocheng_person, photo=png_upload())
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["has_photo"]) == ("left", "recorded", True)
    assert body["masked_id"] != gaocheng_person.id_number
    vid = body["id"]

    referred = client.post(
        f"{API}/{vid}/refer", {"note": "请处理"}, content_type="application/json"
    )
    assert referred.status_code == 200 and referred.json()["referred_to"] == "藁城区公安分局"
    assert Notification.objects.filter(unit=world.police).count() == 1

    closed = client.post(f"{API}/{vid}/close", {"outcome": "警告"}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(f"{API}/{vid}/close", {"outcome": "警告"}, content_type="application/json")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "status"


def test_a_file_that_is_no_image_is_422_naming_photo(world, gaocheng_person):
    response = create(login(world.manager), gaocheng_person, photo=text_upload())
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["photo"]
    assert not Violation.objects.exists()


def test_an_unknown_kind_is_422(world, gaocheng_person):
    response = create(login(world.manager), gaocheng_person, kind="jaywalking")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["kind"]


def test_list_get_and_photo_for_a_supervisor_audited(world, gaocheng_person, supervisor):
    vid = create(login(world.manager), gaocheng_person, photo=png_upload()).json()["id"]
    client = login(supervisor)
    items = client.get(API).json()["items"]
    assert [i["id"] for i in items] == [vid]
    assert client.get(f"{API}?status=closed").json()["items"] == []
    detail = client.get(f"{API}/{vid}")
    assert detail.status_code == 200 and detail.json()["description"] == "擅自离开"
    photo = client.get(f"{API}/{vid}/photo")
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")
    actions = set(AuditEvent.objects.filter(actor=supervisor).values_list("action", flat=True))
    assert actions == {"violation.view", "violation.photo"}
    assert client.post(f"{API}/{vid}/refer", {}, content_type="application/json").status_code == 403


def test_another_district_gets_404_on_every_violation_route(world, gaocheng_person):
    vid = create(login(world.manager), gaocheng_person, photo=png_upload()).json()["id"]
    client = login(world.changan_staff)
    answers = [
        create(client, gaocheng_person),
        client.get(f"{API}/{vid}"),
        client.get(f"{API}/{vid}/photo"),
        client.post(f"{API}/{vid}/refer", {}, content_type="application/json"),
        client.post(f"{API}/{vid}/close", {"outcome": "x"}, content_type="application/json"),
    ]
    assert [r.status_code for r in answers] == [404] * 5
    assert client.get(API).json()["items"] == []
    assert Violation.objects.count() == 1


def test_a_violation_without_a_photo_has_no_photo_to_fetch(world, gaocheng_person):
    client = login(world.manager)
    vid = create(client, gaocheng_person).json()["id"]
    assert client.get(f"{API}/{vid}/photo").status_code == 404
