"""The supplies and materials APIs: an enterprise's token reports for its own enterprise;
a site's token asks its district's warehouse, the county's allocates; another county's
records are 404 or 403; a revoked token is 401; bad bodies are 422 naming the field."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import Role
from epicommand.supplies.models import Lot, MaterialRequest, PriceReport
from epicommand.supplies.services import enterprises
from tests.tokens import live_token

from .world import line, stock


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def tokens(depot, markets, city, units):
    made = {}
    shop, made["shop"] = live_token(
        name="shop",
        role=Role.SUPPLY_ENTERPRISE,
        unit=units[city.gaocheng.code],
        region=city.gaocheng,
    )
    enterprises.bind_account(markets.regulator, markets.gaocheng, shop)
    made["shop_token"] = shop
    for key, office, role, region in (
        ("site", depot.gaocheng_office, Role.SAMPLING_STAFF, city.xgz),
        ("gaocheng", depot.gaocheng_office, Role.COUNTY_OFFICE, city.gaocheng),
        ("changan", depot.changan_office, Role.COUNTY_OFFICE, city.changan),
    ):
        token, made[key] = live_token(name=key, role=role, unit=office.unit, region=region)
        made[f"{key}_token"] = token
    return made


def test_an_enterprise_reports_by_api_and_the_board_shows_it(tokens, city):
    response = post(bearer(tokens["shop"]), "/api/v1/supplies/reports", {"lines": [line()]})
    assert response.status_code == 201, response.content
    assert response.json()["commodities"] == ["pork"]
    board = bearer(tokens["gaocheng"]).get("/api/v1/supplies/board?commodity=pork").json()
    assert [(r["region_code"], r["price"]) for r in board] == [(city.gaocheng.code, "30.00")]
    assert (
        bearer(tokens["changan"]).get("/api/v1/supplies/board?commodity=pork").json()[0]["price"]
        is None
    )


def test_a_site_asks_the_warehouse_allocates_and_the_site_confirms_by_api(tokens, depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 60)])
    site, office = bearer(tokens["site"]), bearer(tokens["gaocheng"])
    made = post(
        site,
        "/api/v1/materials/requests",
        {
            "place_kind": "sampling_site",
            "place_name": "小果庄村采样点",
            "region_code": city.xgz.code,
            "lines": [{"item": "swab", "quantity": 40}],
        },
    )
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    assert post(office, f"/api/v1/materials/requests/{rid}/approve", {}).status_code == 200
    allocated = post(office, f"/api/v1/materials/requests/{rid}/allocate", {})
    assert allocated.status_code == 201, allocated.content
    assert allocated.json() == [
        {"item": "swab", "lot_id": Lot.objects.get().pk, "lot_number": "S-1", "quantity": 40}
    ]
    assert (
        post(site, f"/api/v1/materials/requests/{rid}/confirm", {}).json()["status"] == "delivered"
    )
    stock_rows = office.get(f"/api/v1/materials/warehouses/{depot.gaocheng.pk}/stock").json()
    assert {"item": "swab", "on_hand": 60, "expired": 0} in stock_rows
    forecast = office.get(f"/api/v1/materials/warehouses/{depot.gaocheng.pk}/forecast")
    assert forecast.status_code == 200 and len(forecast.json()["items"]) == 9


def test_an_allocation_beyond_stock_is_422_naming_the_line(tokens, depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 10, 60)])
    request = post(
        bearer(tokens["site"]),
        "/api/v1/materials/requests",
        {
            "place_kind": "lab",
            "place_name": "实验室",
            "region_code": city.xgz.code,
            "lines": [{"item": "swab", "quantity": 11}],
        },
    ).json()
    office = bearer(tokens["gaocheng"])
    post(office, f"/api/v1/materials/requests/{request['id']}/approve", {})
    refused = post(office, f"/api/v1/materials/requests/{request['id']}/allocate", {})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["lines[0].quantity"]
    assert Lot.objects.get().on_hand == 10


def test_another_countys_warehouse_and_requests_are_out_of_reach(tokens, depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 10, 60)])
    request = post(
        bearer(tokens["site"]),
        "/api/v1/materials/requests",
        {
            "place_kind": "lab",
            "place_name": "实验室",
            "region_code": city.xgz.code,
            "lines": [{"item": "swab", "quantity": 1}],
        },
    ).json()
    changan = bearer(tokens["changan"])
    assert changan.get(f"/api/v1/materials/warehouses/{depot.gaocheng.pk}/stock").status_code == 404
    assert changan.get(f"/api/v1/materials/requests/{request['id']}").status_code == 404
    assert (
        post(changan, f"/api/v1/materials/requests/{request['id']}/approve", {}).status_code == 404
    )
    order = post(
        changan,
        f"/api/v1/materials/warehouses/{depot.gaocheng.pk}/orders",
        {"number": "X", "supplier": "y", "lines": [{"item": "swab", "quantity": 1}]},
    )
    assert order.status_code == 404
    site_elsewhere = post(
        bearer(tokens["site"]),
        "/api/v1/materials/requests",
        {
            "place_kind": "lab",
            "place_name": "x",
            "region_code": city.community.code,
            "lines": [{"item": "swab", "quantity": 1}],
        },
    )
    assert site_elsewhere.status_code == 403
    assert MaterialRequest.objects.count() == 1


def test_a_revoked_token_is_refused_on_every_route(tokens, depot):
    for key in ("shop", "gaocheng"):
        tokens[f"{key}_token"].revoked_at = timezone.now()
        tokens[f"{key}_token"].save()
    for key, method, path in (
        ("shop", "post", "/api/v1/supplies/reports"),
        ("shop", "get", "/api/v1/supplies/board"),
        ("gaocheng", "get", "/api/v1/supplies/alerts"),
        ("gaocheng", "get", "/api/v1/supplies/enterprises"),
        ("gaocheng", "get", "/api/v1/materials/warehouses"),
        ("gaocheng", "get", f"/api/v1/materials/warehouses/{depot.gaocheng.pk}/forecast"),
        ("gaocheng", "get", "/api/v1/materials/requests"),
        ("gaocheng", "post", "/api/v1/materials/requests"),
        ("gaocheng", "post", "/api/v1/materials/requests/1/allocate"),
    ):
        assert getattr(bearer(tokens[key]), method)(path).status_code == 401, path


@pytest.mark.parametrize(
    "key, path, body, field",
    [
        (
            "shop",
            "/api/v1/supplies/reports",
            {"lines": [line(retail="-1")]},
            "lines[0].retail_price",
        ),
        (
            "shop",
            "/api/v1/supplies/reports",
            {"lines": [line(stock="abc")]},
            "lines[0].stock_tonnes",
        ),
        (
            "shop",
            "/api/v1/supplies/reports",
            {"lines": [line(retail="999")]},
            "lines[0].retail_price",
        ),
        ("shop", "/api/v1/supplies/reports", {"lines": [line("gold")]}, "lines[0].commodity"),
        ("site", "/api/v1/materials/requests", {"place_kind": "bank"}, "place_name"),
        (
            "site",
            "/api/v1/materials/requests",
            {
                "place_kind": "lab",
                "place_name": "x",
                "region_code": "130109104201",
                "lines": [{"item": "ventilator", "quantity": 1}],
            },
            "lines[0].item",
        ),
        (
            "site",
            "/api/v1/materials/requests",
            {
                "place_kind": "lab",
                "place_name": "x",
                "region_code": "130109104201",
                "lines": [{"item": "swab", "quantity": -1}],
            },
            "lines[0].quantity",
        ),
    ],
)
def test_bad_bodies_are_422_naming_the_field(tokens, key, path, body, field):
    response = post(bearer(tokens[key]), path, body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not PriceReport.objects.exists() and not MaterialRequest.objects.exists()


def test_a_delivery_of_an_unknown_item_or_past_expiry_is_422(tokens, depot):
    office = bearer(tokens["gaocheng"])
    order = post(
        office,
        f"/api/v1/materials/warehouses/{depot.gaocheng.pk}/orders",
        {"number": "PO-9", "supplier": "华北", "lines": [{"item": "gloves", "quantity": 10}]},
    ).json()
    today = timezone.localdate()
    refused = post(
        office,
        f"/api/v1/materials/orders/{order['id']}/deliveries",
        {
            "lines": [
                {
                    "item": "robot",
                    "lot_number": "R",
                    "quantity": 1,
                    "expires_on": str(today + timedelta(days=5)),
                },
                {"item": "gloves", "lot_number": "G", "quantity": 1, "expires_on": str(today)},
            ]
        },
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        "lines[0].item",
        "lines[1].expires_on",
    }
    assert not Lot.objects.exists()
