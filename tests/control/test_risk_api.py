"""/api/v1/risk-areas: the areas in force for any caller, proposals and suggestions for
command offices, designation, confirming, dismissing and lifting, scoped and refused with
the field named."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control.models import RiskArea
from epicommand.control.services import healthcode, risk
from epicommand.core.models import Role
from tests.conftest import login
from tests.followups import committed
from tests.tokens import live_token

from .risk_setup import cases

S = RiskArea.Status
API = "/api/v1/risk-areas"


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


def post(client, url, body=None):
    with committed():
        return client.post(url, body or {}, content_type="application/json")


def test_any_caller_lists_the_areas_in_force_of_the_whole_city(gaocheng_office, changan_epi, city):
    area = risk.designate(
        gaocheng_office, level="high", regions=[city.xgz.code], reason="x", confirm=True
    )
    risk.designate(gaocheng_office, level="medium", regions=["130109"], reason="not yet")
    response = login(changan_epi).get(API)
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == area.pk
    assert (item["level"], item["status"], item["region_code"]) == (
        "high",
        "in_force",
        "130109104201",
    )
    assert item["regions"] == [{"code": "130109104201", "name": "藁城区 增村镇 小果庄村"}]
    assert item["confirmed_by"] == "gaocheng_office"


def test_proposals_of_another_district_are_not_listed_or_found(
    gaocheng_office, changan_office, city
):
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    client = login(changan_office)
    assert client.get(f"{API}/proposals").json() == []
    assert client.get(API, {"status": "proposed"}).json()["items"] == []
    assert client.get(f"{API}/{area.pk}").status_code == 404
    own = login(gaocheng_office).get(f"{API}/proposals").json()
    assert [p["id"] for p in own] == [area.pk]


def test_suggestions_are_computed_and_stored_as_proposals(gaocheng_office, city):
    cases(city.xgz, timezone.now() - timedelta(days=1), count=3)
    client = login(gaocheng_office)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # reasons are written in its language
    (suggestion,) = client.get(f"{API}/suggestions").json()
    assert (suggestion["region_code"], suggestion["level"], suggestion["in_force"]) == (
        "130109",
        "medium",
        "low",
    )
    assert "3 new cases in the last 14 days" in suggestion["reasons"]
    stored = post(client, f"{API}/suggestions")
    assert stored.status_code == 201
    (proposal,) = stored.json()
    assert (proposal["status"], proposal["rule"]) == ("proposed", "county_2021")
    assert post(client, f"{API}/suggestions").json()[0]["id"] == proposal["id"]


def test_designate_confirm_and_lift_through_the_api(gaocheng_office, city, gaocheng_person):
    client = login(gaocheng_office)
    created = post(
        client,
        API,
        {"level": "high", "regions": ["130109104201"], "reason": "病例住址", "name": "小果庄村"},
    )
    assert created.status_code == 201
    area = created.json()
    assert (area["status"], area["name"]) == ("proposed", "小果庄村")
    confirmed = post(client, f"{API}/{area['id']}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "in_force"
    assert confirmed.json()["in_force_from"] is not None
    assert healthcode.colours_of([gaocheng_person.pk]) == {gaocheng_person.pk: "red"}
    # The recompute ran after the confirmation committed: the area says when it was done.
    queued = confirmed.json()["codes_recomputed"]
    assert (queued["state"], queued["persons"]) == ("pending", 1)  # the one resident
    done = client.get(f"{API}/{area['id']}").json()["codes_recomputed"]
    assert done["state"] == "done" and done["finished_at"] is not None
    assert (done["kind"], done["persons"]) == ("risk_area.codes", 1)
    again = post(client, f"{API}/{area['id']}/confirm")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "status"
    lifted = post(client, f"{API}/{area['id']}/lift", {"reason": "解除"})
    assert (lifted.status_code, lifted.json()["status"]) == (200, "lifted")
    assert lifted.json()["codes_recomputed"]["persons"] == 1


def test_dismissing_a_proposal(gaocheng_office, city):
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    response = post(login(gaocheng_office), f"{API}/{area.pk}/dismiss", {"reason": "不需要"})
    assert (response.status_code, response.json()["status"]) == (200, "dismissed")


def test_a_changan_office_gets_404_on_a_gaocheng_proposal(gaocheng_office, changan_office, city):
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    client = login(changan_office)
    for action in ("confirm", "dismiss", "lift"):
        assert post(client, f"{API}/{area.pk}/{action}").status_code == 404
    area.refresh_from_db()
    assert area.status == S.PROPOSED


def test_an_epidemiologist_gets_403(gaocheng_epi, gaocheng_office, city):
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    client = login(gaocheng_epi)
    assert post(client, f"{API}/{area.pk}/confirm").status_code == 403
    assert client.get(f"{API}/proposals").status_code == 403
    refused = post(client, API, {"level": "high", "regions": ["130109104201"], "reason": "x"})
    assert refused.status_code == 403


def test_a_device_token_may_read_but_not_designate(city_office, city):
    _, secret = live_token(
        name="gate",
        role=Role.COUNTY_OFFICE,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    assert client.get(API, **headers).status_code == 200
    refused = client.post(
        API,
        {"level": "high", "regions": ["130109104201"], "reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 403


def test_bad_designations_name_the_field(gaocheng_office, city):
    client = login(gaocheng_office)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    outside = post(client, API, {"level": "high", "regions": ["130102001001"], "reason": "x"})
    assert outside.status_code == 422
    assert outside.json()["errors"] == [
        {"field": "regions", "message": "outside your jurisdiction: 130102001001"}
    ]
    unknown = post(client, API, {"level": "high", "regions": ["130109999999"], "reason": "x"})
    assert unknown.json()["errors"][0]["message"] == "unknown region code: 130109999999"
    bad_level = post(client, API, {"level": "severe", "regions": ["130109"], "reason": "x"})
    assert bad_level.status_code == 422
    assert bad_level.json()["errors"][0]["field"] == "level"
    assert post(client, API, {"level": "high", "regions": [], "reason": "x"}).status_code == 422
    assert client.get(f"{API}/{2**70}").status_code in (404, 422)
    assert not RiskArea.objects.exists()


def test_the_list_needs_authentication(client, city):
    assert client.get(API).status_code == 401
