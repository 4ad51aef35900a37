"""The information API: the city office drafts and reads bulletins; a county token reads
its own rumours only (another county's is 404); a revoked token is 401; a bad body is 422
naming the field; a token may not sign (a person's act)."""

import json

import pytest
from django.test import Client

from epicommand.core.models import Role
from epicommand.core.services import revoke_api_token
from epicommand.information.services import rumours
from tests.conftest import login
from tests.tokens import live_token

API = "/api/v1/information"
pytestmark = pytest.mark.django_db


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def office_token(city, city_office):
    token, secret = live_token(
        name="office", role=Role.CITY_OFFICE, unit=city.office, region=city.sjz
    )
    return token, secret


@pytest.fixture
def gaocheng_token(city, city_office):
    token, secret = live_token(
        name="gc",
        role=Role.COUNTY_OFFICE,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    return token, secret


def test_the_office_drafts_and_reads_a_bulletin(outbreak, office_token):
    client = bearer(office_token[1])
    made = post(client, "/bulletins", {"day": outbreak.days[1].isoformat()})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["figures"]["city"]["reclassified"] == 1 and body["mismatches"] == []
    listed = client.get(f"{API}/bulletins").json()
    assert [b["id"] for b in listed] == [body["id"]]
    signed = post(client, f"/bulletins/{body['id']}/signatures", {"stage": "check"})
    assert signed.status_code == 403  # a person signs, not a token


def test_session_users_sign_and_publish_through_the_api(outbreak, city_office, leader):
    office = login(city_office)
    made = post(office, "/bulletins", {"day": outbreak.days[0].isoformat()}).json()
    assert (
        post(office, f"/bulletins/{made['id']}/signatures", {"stage": "check"}).status_code == 200
    )
    early = post(office, f"/bulletins/{made['id']}/publish", {})
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "status"
    assert (
        post(login(leader), f"/bulletins/{made['id']}/signatures", {"stage": "approve"}).status_code
        == 200
    )
    done = post(office, f"/bulletins/{made['id']}/publish", {})
    assert done.status_code == 200 and done.json()["status"] == "published"
    again = post(office, "/bulletins", {"day": outbreak.days[0].isoformat()})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "day"


def test_a_county_token_may_not_draft_and_sees_only_its_rumours(
    city, outbreak, gaocheng_token, changan_office
):
    client = bearer(gaocheng_token[1])
    assert post(client, "/bulletins", {"day": outbreak.days[0].isoformat()}).status_code == 403
    mine = post(
        client, "/rumours", {"claim": "封城", "where_seen": "群", "region_code": city.gaocheng.code}
    )
    assert mine.status_code == 201
    theirs = rumours.report_by_staff(
        changan_office, claim="断供", where_seen="微博", region_code=city.changan.code
    )
    assert client.get(f"{API}/rumours/{theirs.pk}").status_code == 404
    assert client.get(f"{API}/rumours/{mine.json()['id']}").status_code == 200
    assert [r["id"] for r in client.get(f"{API}/rumours").json()] == [mine.json()["id"]]
    other = post(
        client, "/rumours", {"claim": "x", "where_seen": "y", "region_code": city.changan.code}
    )
    assert other.status_code == 403


def test_bad_bodies_name_the_field(city, office_token):
    client = bearer(office_token[1])
    bad_day = post(client, "/bulletins", {"day": "yesterday"})
    assert bad_day.status_code == 422 and bad_day.json()["errors"][0]["field"] == "day"
    future = post(client, "/bulletins", {"day": "2999-01-01"})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "day"
    empty = post(client, "/rumours", {"claim": "", "where_seen": "", "region_code": "1"})
    fields = {e["field"] for e in empty.json()["errors"]}
    assert empty.status_code == 422 and fields == {"claim", "where_seen", "region_code"}


def test_a_revoked_token_is_401(city, city_office, office_token):
    token, secret = office_token
    revoke_api_token(city_office, token)
    assert bearer(secret).get(f"{API}/bulletins").status_code == 401
