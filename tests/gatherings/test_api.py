"""The gatherings API: filing and reading are scoped (another county's application is 404),
a revoked token is 401, bad bodies are 422 naming the field, and deciding needs a person."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from epicommand.core.models import Role
from epicommand.core.services import revoke_api_token
from epicommand.gatherings.models import Application
from tests.tokens import live_token

from .world import attendee_rows, make_people, soon

pytestmark = pytest.mark.django_db
API = "/api/v1/gatherings"


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def tokens(city_office, city, approvers):
    made = {}
    for key, region in (("gaocheng", city.gaocheng), ("changan", city.changan)):
        token, secret = live_token(
            name=key, role=Role.COUNTY_OFFICE, unit=city.office, region=region
        )
        made[key], made[f"{key}_token"] = secret, token
    return made


def _body(hall, people, **overrides):
    start = soon()
    body = {
        "organizer": "村委会",
        "purpose": "村民代表会议",
        "venue_id": hall.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "headcount": len(people),
        "attendees": attendee_rows(people),
    }
    body.update(overrides)
    return body


def test_a_county_files_a_meeting_and_reads_it_and_its_check(tokens, hall, city):
    client = bearer(tokens["gaocheng"])
    response = post(client, "/meetings", _body(hall, make_people(city.xgz, 3)))
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["stages"][0]["approver"] == "village" and made["status"] == "pending"
    assert client.get(f"{API}/applications/{made['id']}").status_code == 200
    check = client.get(f"{API}/applications/{made['id']}/attendee-check").json()
    assert len(check) == 3 and check[0]["missing"] == ["negative test before", "test after"]
    assert "*" in check[0]["id_number"]
    assert [a["id"] for a in client.get(f"{API}/applications").json()] == [made["id"]]


def test_another_county_gets_404_and_an_empty_list(tokens, hall, city, approvers):
    app = post(bearer(tokens["gaocheng"]), "/meetings", _body(hall, make_people(city.xgz, 2)))
    other = bearer(tokens["changan"])
    assert other.get(f"{API}/applications/{app.json()['id']}").status_code == 404
    assert other.get(f"{API}/applications").json() == []
    assert (
        post(other, "/meetings", _body(hall, make_people(city.xgz, 2, start=50))).status_code == 403
    )


def test_a_revoked_token_gets_401(tokens, city_office):
    revoke_api_token(city_office, tokens["gaocheng_token"])
    assert bearer(tokens["gaocheng"]).get(f"{API}/applications").status_code == 401


def test_bad_bodies_are_422_naming_the_field(tokens, hall, city):
    client = bearer(tokens["gaocheng"])
    people = make_people(city.xgz, 2)
    rows = attendee_rows(people)
    rows[0]["id_number"] = "130109199999999999"
    response = post(client, "/meetings", _body(hall, people, attendees=rows, headcount=5000))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"attendees[0].id_number", "headcount"} <= fields
    response = post(client, "/meetings", {"organizer": "x"})
    assert response.status_code == 422
    assert Application.objects.count() == 0


def test_a_token_may_not_decide_a_stage(tokens, hall, city):
    client = bearer(tokens["gaocheng"])
    made = post(client, "/meetings", _body(hall, make_people(city.xgz, 2))).json()
    response = post(client, f"/applications/{made['id']}/decision", {"approve": True})
    assert response.status_code == 403


def test_the_wartime_state_and_the_sites_are_read(tokens):
    client = bearer(tokens["gaocheng"])
    assert client.get(f"{API}/wartime").json() == {
        "in_force": False,
        "in_force_from": None,
        "in_force_until": None,
        "reason": "",
    }
    assert client.get(f"{API}/sites").json() == []
