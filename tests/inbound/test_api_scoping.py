"""Every inbound route attacked: a county sees only its arrivals (another county's are 404
on list, detail and every step), a revoked token is refused, a bad body is answered 422
naming the field, and the detail of a traveller is audited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import AuditEvent, Role
from epicommand.core.services import revoke_api_token
from epicommand.inbound.models import Arrival
from epicommand.inbound.services import loop
from tests.tokens import live_token

from .world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    flight_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    login_en,
    make_person,
    passenger,
    port_staff_fixture,
    port_unit_fixture,
    site_manager_fixture,
    transfer_unit_fixture,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/inbound"


@pytest.fixture
def two_counties(port_staff, flight, city):
    person = make_person(city.xgz, name="王芳")
    g = passenger(port_staff, flight, city.xgz, seat="1A", document=person.id_number, name="王芳")
    c = passenger(port_staff, flight, city.community, seat="1B", document="E10000002", name="李强")
    return g, c


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_a_county_lists_only_its_arrivals_masked(two_counties, gaocheng_office):
    g, _c = two_counties
    body = login_en(gaocheng_office).get(f"{API}/arrivals").json()
    assert [a["id"] for a in body["items"]] == [g.pk]
    assert body["items"][0]["masked_name"] == "王*"
    assert "document" not in body["items"][0]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/arrivals/{id}", None),
        ("post", "/arrivals/{id}/port-test", {}),
        ("post", "/arrivals/{id}/positive", {}),
        ("post", "/arrivals/{id}/transfer", {"transfer_unit_id": 1, "site_id": 1, "vehicle": "x"}),
        ("post", "/arrivals/{id}/release-to-community", {"community_unit_id": 1}),
        ("post", "/arrivals/{id}/release", {}),
        ("post", "/arrivals/{id}/person", {"person_id": 1}),
    ],
)
def test_another_countys_arrival_is_404_on_every_route(
    two_counties, changan_office, method, path, body
):
    g, _c = two_counties
    client = login_en(changan_office)
    url = API + path.format(id=g.pk)
    response = client.get(url) if method == "get" else post(client, url, body)
    assert response.status_code == 404


def test_another_countys_handover_cannot_be_acknowledged(
    two_counties, port_staff, changan_office, camp, transfer_unit
):
    g, _c = two_counties
    loop.record_port_test(port_staff, g)
    _t, site = loop.hand_to_transfer(
        port_staff, g, transfer_unit=transfer_unit, site=camp, vehicle="冀A·1"
    )
    response = post(login_en(changan_office), f"{API}/handovers/{site.pk}/acknowledge")
    assert response.status_code == 404


def test_the_detail_is_in_full_and_audited(two_counties, gaocheng_office):
    g, _c = two_counties
    body = login_en(gaocheng_office).get(f"{API}/arrivals/{g.pk}").json()
    assert body["document"] == g.document and body["person_id"] == g.person_id
    assert AuditEvent.objects.filter(action="arrival.view", object_id=str(g.pk)).exists()


def test_a_revoked_token_is_refused(city, city_office, port_unit, two_counties):
    token, secret = live_token(name="port", role=Role.PORT_STAFF, unit=port_unit, region=city.sjz)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(f"{API}/arrivals").status_code == 200
    revoke_api_token(city_office, token)
    assert client.get(f"{API}/arrivals").status_code == 401
    assert client.get(f"{API}/loop").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"risk": "unknown"}, "risk"),
        ({"region_code": "x"}, "region_code"),
        ({"arrived_at": "tomorrow"}, "arrived_at"),
        ({"arrived_at": (timezone.now() + timedelta(days=1)).isoformat()}, "arrived_at"),
        ({"document": ""}, "document"),
    ],
)
def test_a_bad_arrival_is_422_naming_the_field(port_staff, flight, city, body, field):
    good = {
        "mode": "flight",
        "flight_id": flight.pk,
        "seat": "3C",
        "document": "E55555555",
        "name": "赵六",
        "nationality": "CHN",
        "origin": "Moscow",
        "risk": "overseas",
        "destination_address": "小果庄村 1 号",
        "region_code": city.xgz.code,
        "arrived_at": timezone.now().isoformat(),
    }
    response = post(login_en(port_staff), f"{API}/arrivals", {**good, **body})
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Arrival.objects.exists()


def test_the_port_desk_registers_through_the_api(port_staff, flight, city):
    response = post(
        login_en(port_staff),
        f"{API}/arrivals",
        {
            "mode": "flight",
            "flight_id": flight.pk,
            "seat": "3C",
            "document": "e55555555",
            "name": "赵六",
            "origin": "Moscow",
            "risk": "overseas",
            "destination_address": "小果庄村 1 号",
            "region_code": city.xgz.code,
            "arrived_at": timezone.now().isoformat(),
        },
    )
    assert response.status_code == 201
    assert response.json()["document"] == "E55555555" and response.json()["stage"] == "landed"


def test_a_county_office_cannot_confirm_a_suspension(gaocheng_office):
    assert post(login_en(gaocheng_office), f"{API}/suspensions/1/confirm").status_code == 404


def test_the_board_counts_only_the_countys_travellers(two_counties, gaocheng_office, city_office):
    assert login_en(gaocheng_office).get(f"{API}/loop").json()["by_stage"]["landed"] == 1
    assert login_en(city_office).get(f"{API}/loop").json()["by_stage"]["landed"] == 2
