"""GET and POST /api/v1/policy/editions: every office reads the editions, the one in force
and the switches scheduled; the city office alone schedules a switch, from a person's
account; bad bodies are refused naming the field."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import AuditEvent, EditionChoice, Role
from epicommand.core.services import revoke_api_token
from tests.conftest import login
from tests.tokens import live_token

URL = "/api/v1/policy/editions"


@pytest.fixture
def county_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


def post(client, body, **headers):
    return client.post(URL, body, content_type="application/json", **headers)


def test_the_city_office_schedules_a_switch_and_everyone_sees_it(
    settings, city_office, county_office
):
    settings.PROTOCOL_EDITION = "8"
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = post(
        login(city_office),
        {"edition": "9", "in_force_from": at.isoformat(), "reason": "9th edition published"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["edition"] == "9"
    assert response.json()["chosen_by"] == "city_office"
    assert AuditEvent.objects.filter(action="policy.edition").count() == 1

    body = login(county_office).get(URL).json()
    assert body["in_force"] == "8"
    assert body["default"] == "8"
    assert {e["code"]: e["lookback_days"] for e in body["editions"]} == {"8": 2, "9": 4}
    (scheduled,) = body["choices"]
    assert scheduled["edition"] == "9" and scheduled["status"] == "scheduled"
    assert scheduled["chosen_by"] == "city_office"
    assert scheduled["reason"] == "9th edition published"


def test_a_county_office_may_read_but_not_choose(settings, county_office):
    settings.PROTOCOL_EDITION = "8"
    at = (timezone.now() + timedelta(days=2)).isoformat()
    response = post(login(county_office), {"edition": "9", "in_force_from": at, "reason": "x"})
    assert response.status_code == 403
    assert "policy.choose" in response.json()["detail"]
    assert not EditionChoice.objects.exists()


def test_a_role_without_policy_reading_is_refused(make_user, city):
    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    assert login(lab).get(URL).status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"edition": "10", "in_force_from": "+2d", "reason": "x"}, "edition"),
        ({"edition": "9", "in_force_from": "+2d", "reason": " "}, "reason"),
        ({"edition": "9", "in_force_from": "-2d", "reason": "backdated"}, "in_force_from"),
        ({"edition": "9", "in_force_from": "next week", "reason": "x"}, "in_force_from"),
        ({"edition": "9", "reason": "x"}, "in_force_from"),
        ({"edition": "9", "in_force_from": "0001-01-01T00:00:00", "reason": "x"}, "in_force_from"),
        ({"in_force_from": "+2d", "reason": "x"}, "edition"),
    ],
)
def test_bad_bodies_name_the_field(settings, city_office, body, field):
    settings.PROTOCOL_EDITION = "8"
    days = {"+2d": 2, "-2d": -2}
    if body.get("in_force_from") in days:
        moment = timezone.now() + timedelta(days=days[body["in_force_from"]])
        body = {**body, "in_force_from": moment.isoformat()}
    response = post(login(city_office), body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not EditionChoice.objects.exists()


def test_tokens_read_but_a_choice_needs_a_persons_account(settings, city, city_office):
    settings.PROTOCOL_EDITION = "8"
    token, secret = live_token(
        name="city dashboard", role=Role.CITY_OFFICE, unit=city.office, region=city.sjz
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get(URL, **auth).json()["in_force"] == "8"
    at = (timezone.now() + timedelta(days=2)).isoformat()
    response = post(Client(), {"edition": "9", "in_force_from": at, "reason": "x"}, **auth)
    assert response.status_code == 403
    revoke_api_token(city_office, token, reason="screen retired")
    assert Client().get(URL, **auth).status_code == 401
