"""GET /api/v1/dashboard: the page's figures as JSON, scoped the same way."""

import pytest

from epicommand.core.dashboard import build_dashboard
from epicommand.core.models import Role
from tests.conftest import login
from tests.tokens import live_token

from .figures_city import generate


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


def values(region: dict) -> dict[str, int]:
    return {f["key"]: f["value"] for f in region["figures"]}


def test_the_city_office_gets_the_city_and_every_county_with_links(command_city):
    response = login(command_city.office).get("/api/v1/dashboard")
    assert response.status_code == 200
    body = response.json()
    board = build_dashboard(command_city.office)
    assert body["region"]["code"] == "130100"
    assert values(body["region"]) == board.focus.values
    assert {c["code"]: values(c) for c in body["counties"]} == {
        c.region.code: c.values for c in board.counties
    }
    urls = {f["key"]: f["url"] for f in body["region"]["figures"]}
    assert urls["persons"] == "/persons/?region=130100"
    assert len(body["days"]) == 14
    series = {s["key"]: s["values"] for s in body["series"]}
    assert series == board.series
    # Every module the dashboard waited for has landed and fills its panel.
    assert body["awaiting"] == []


def test_a_county_office_gets_its_own_county_and_404_for_another(command_city):
    client = login(command_city.gaocheng_office)
    body = client.get("/api/v1/dashboard").json()
    assert body["region"]["code"] == "130109"
    assert [c["code"] for c in body["counties"]] == ["130109"]
    assert client.get("/api/v1/dashboard?region=130102").status_code == 404
    assert client.get("/api/v1/dashboard?region=130100").status_code == 404


def test_a_county_token_sees_its_county(command_city, city):
    _, secret = live_token(
        name="big screen",
        role=Role.COUNTY_OFFICE,
        unit=command_city.changan_office.unit,
        region=city.changan,
    )
    from django.test import Client

    response = Client().get("/api/v1/dashboard", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["region"]["code"] == "130102"


def test_the_city_office_may_ask_for_one_county(command_city):
    body = login(command_city.office).get("/api/v1/dashboard?region=130109").json()
    assert body["region"]["code"] == "130109"


def test_a_role_without_the_dashboard_gets_403(gaocheng_epi):
    assert login(gaocheng_epi).get("/api/v1/dashboard").status_code == 403


def test_a_malformed_region_is_refused(command_city):
    assert login(command_city.office).get("/api/v1/dashboard?region=abc").status_code == 422
