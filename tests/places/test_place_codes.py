import io

import pytest
import zxingcpp
from django.test import Client
from PIL import Image

from epicommand.places import services
from epicommand.places.codes import InvalidPlaceCode, place_code, resolve_place_code
from epicommand.places.models import Venue
from tests.conftest import login


@pytest.fixture
def market(city, city_office):
    return services.register_venue(
        city_office,
        name="增村镇农贸市场",
        kind=Venue.Kind.MARKET,
        address="增村镇中心街 1 号",
        region_id=city.zengcun.code,
        latitude=38.07,
        longitude=114.85,
    )


def test_a_valid_code_resolves_to_its_venue(market):
    assert resolve_place_code(place_code(market)) == market


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(t.split(".")[0], str(int(t.split(".")[0]) + 1), 1),  # another venue
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: t.split(":")[0],  # signature removed
        lambda t: "1.guessed-nonce:" + t.split(":")[1],
    ],
)
def test_a_tampered_code_is_refused(market, tamper):
    with pytest.raises(InvalidPlaceCode):
        resolve_place_code(tamper(place_code(market)))


def test_rotating_a_code_revokes_old_posters(market, city_office):
    old = place_code(market)
    services.rotate_place_code(city_office, market, reason="poster defaced")
    with pytest.raises(InvalidPlaceCode):
        resolve_place_code(old)
    assert resolve_place_code(place_code(market)) == market


def test_the_png_poster_is_a_real_qr_code_of_the_scan_page(market, city_office):
    response = login(city_office).get(f"/api/v1/places/{market.pk}/poster.png")
    assert response["Content-Type"] == "image/png"
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert decoded.text == f"http://testserver/p/{place_code(market)}/"


def test_the_svg_poster_names_the_venue(market, city_office):
    response = login(city_office).get(f"/api/v1/places/{market.pk}/poster.svg")
    assert "增村镇农贸市场" in response.content.decode()


def test_the_api_resolves_codes_and_refuses_tampered_ones(market, city_office):
    client = login(city_office)
    ok = client.post(
        "/api/v1/places/resolve-code",
        {"token": place_code(market)},
        content_type="application/json",
    )
    assert ok.json()["name"] == "增村镇农贸市场"
    bad = client.post(
        "/api/v1/places/resolve-code",
        {"token": place_code(market) + "x"},
        content_type="application/json",
    )
    assert bad.status_code == 404
    assert bad.json()["errors"][0]["field"] == "token"


def test_registering_a_venue_with_bad_input_names_the_fields(city_office):
    response = login(city_office).post(
        "/api/v1/places",
        {
            "name": "",
            "kind": "market",
            "region_code": "999999",
            "latitude": 120,
            "longitude": 114.8,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"name", "region_id", "latitude"}
    assert not Venue.objects.exists()


def test_anonymous_callers_get_401(market):
    assert Client().get(f"/api/v1/places/{market.pk}").status_code == 401
