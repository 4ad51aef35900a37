"""The prevention API: a county's token sees its own units only (another county's is 404),
a revoked token is 401 on every route, bad bodies are 422 naming the field, and an
inspection posted with a photo that is not an image writes nothing."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import Role
from epicommand.core.services import revoke_api_token
from epicommand.prevention.models import Inspection, PreventionUnit, Rectification
from tests.conftest import login
from tests.tokens import live_token

from .world import PDF, all_passed, image_bytes

API = "/api/v1/prevention"
pytestmark = pytest.mark.django_db


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def post(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def gaocheng_token(world, city):
    token, secret = live_token(
        name="藁城区防控",
        role=Role.COUNTY_OFFICE,
        unit=world.offices[city.gaocheng.code],
        region=city.gaocheng,
    )
    return token, secret


def test_a_county_token_lists_and_reads_its_own_units_only(world, gaocheng_token):
    client = bearer(gaocheng_token[1])
    listed = client.get(f"{API}/units")
    assert listed.status_code == 200
    assert [u["id"] for u in listed.json()] == [world.market_unit.pk]
    assert client.get(f"{API}/units/{world.market_unit.pk}").status_code == 200
    assert client.get(f"{API}/units/{world.school_unit.pk}").status_code == 404
    assert client.get(f"{API}/units/{world.school_unit.pk}/inspections").status_code == 404


def test_a_revoked_token_is_refused_on_every_route(world, gaocheng_token):
    token, secret = gaocheng_token
    revoke_api_token(world.gaocheng_office, token)
    client = bearer(secret)
    unit = world.market_unit.pk
    for method, path in (
        ("get", "/units"),
        ("post", "/units"),
        ("get", f"/units/{unit}"),
        ("get", f"/units/{unit}/inspections"),
        ("post", f"/units/{unit}/inspections"),
        ("get", "/rectifications"),
        ("post", "/disinfections"),
        ("get", "/disinfection-tasks"),
        ("get", "/key-staff"),
        ("post", "/key-staff"),
    ):
        assert getattr(client, method)(API + path).status_code == 401, path


def test_registering_a_unit_by_api_and_bad_bodies_naming_the_field(world, gaocheng_token, city):
    client = bearer(gaocheng_token[1])
    made = post(
        client,
        "/units",
        {
            "name": "增村卫生院",
            "category": "hospital",
            "region_code": city.zengcun.code,
            "responsible_name": "陈院长",
            "responsible_phone": "13600004444",
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["region_code"] == city.zengcun.code

    wrong = post(
        client,
        "/units",
        {
            "name": "x",
            "category": "casino",
            "region_code": city.community.code,  # Chang'an: not this token's county
            "responsible_name": "y",
            "responsible_phone": "13600004444",
        },
    )
    assert wrong.status_code == 422
    assert {"category", "region_code"} <= fields(wrong)
    missing = post(client, "/units", {"name": "x"})
    assert missing.status_code == 422
    assert "category" in fields(missing)
    assert post(client, "/disinfections", {"kind": "route"}).status_code == 422
    assert PreventionUnit.objects.count() == 3


def test_an_inspector_posts_an_inspection_with_a_photo_and_an_impostor_is_refused(world):
    client = login(world.gaocheng_inspector)
    unit = world.market_unit
    url = f"{API}/units/{unit.pk}/inspections"
    results = json.dumps(all_passed(unit, masks=False))

    refused = client.post(url, {"results": results, "photos": [_file("masks.jpg", PDF)]})
    assert refused.status_code == 422
    assert fields(refused) == {"photos.masks"}
    assert not Inspection.objects.exists()

    done = client.post(url, {"results": results, "photos": [_file("masks.png", image_bytes())]})
    assert done.status_code == 201, done.content
    assert done.json()["failed"] == 1
    assert Rectification.objects.get(unit=unit).status == "open"
    board = client.get(f"{API}/rectifications")
    assert [r["unit_id"] for r in board.json()] == [unit.pk]

    assert client.post(url, {"results": "[1]"}).status_code == 422


def test_the_other_county_inspector_gets_404_for_the_unit(world):
    client = login(world.changan_inspector)
    url = f"{API}/units/{world.market_unit.pk}/inspections"
    assert client.post(url, {"results": "{}"}).status_code == 404


def test_a_disinfection_is_recorded_by_api(world, gaocheng_epi, city):
    client = login(gaocheng_epi)
    made = post(
        client,
        "/disinfections",
        {"kind": "place", "venue_id": world.market.pk, "agent": "含氯消毒剂"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["target"] == world.market.name
    later = (timezone.now().replace(year=timezone.now().year + 1)).isoformat()
    bad = post(
        client,
        "/disinfections",
        {
            "kind": "route",
            "target": "1 路",
            "agent": "x",
            "region_code": city.zengcun.code,
            "done_at": later,
        },
    )
    assert bad.status_code == 422 and fields(bad) == {"done_at"}


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_key_staff_by_api_masked_and_scoped(world, gaocheng_token, gaocheng_person):
    client = bearer(gaocheng_token[1])
    body = {"unit_id": world.market_unit.pk, "document": gaocheng_person.id_number}
    made = post(client, "/key-staff", {**body, "position": "cold_chain"})
    assert made.status_code == 201, made.content
    assert made.json()["name"] == "张*"
    assert fields(post(client, "/key-staff", {**body, "position": "pilot"})) == {"position"}
    other = post(
        client, "/key-staff", {**body, "unit_id": world.school_unit.pk, "position": "market"}
    )
    assert other.status_code == 404
    listed = client.get(f"{API}/key-staff")
    assert [s["name"] for s in listed.json()] == ["张*"]
