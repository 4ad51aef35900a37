"""/api/v1/quarantine/sites: sites, rooms in bulk, a room's status, occupancy and the
forecast; scoped by the site's region; bad input answered with the field named."""

import pytest
from django.test import Client

from epicommand.core.models import Role
from epicommand.quarantine.models import Room, Site
from epicommand.quarantine.services import stays
from tests.conftest import login
from tests.tokens import live_token

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    hotel_fixture,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/quarantine/sites"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_site_is_created_given_rooms_and_read_back(gaocheng_office, gaocheng_health, city):
    client = login(gaocheng_office)
    response = post(
        client,
        API,
        {
            "name": "黄庄公寓",
            "kind": "camp",
            "region_code": city.zengcun.code,
            "address": "增村镇黄庄",
            "latitude": 38.03,
            "longitude": 114.86,
            "unit_id": gaocheng_health.pk,
        },
    )
    assert response.status_code == 201, response.content
    site = response.json()
    assert site["region_code"] == "130109104" and site["rooms"]["total"] == 0
    rooms = post(
        client,
        f"{API}/{site['id']}/rooms",
        {"building": "A", "floor_from": 1, "floor_to": 4, "rooms_per_floor": 1039},
    )
    assert rooms.status_code == 201, rooms.content
    assert rooms.json() == {
        "added": 4156,
        "rooms": {"free": 4156, "occupied": 0, "cleaning": 0, "out_of_service": 0, "total": 4156},
    }
    page = client.get(f"{API}/{site['id']}/rooms", {"floor": 4, "limit": 2000}).json()
    assert len(page["items"]) == 1039 and page["next_after"] is None


def test_bad_input_names_the_field(gaocheng_office, changan_office, camp, gaocheng_health, city):
    client = login(gaocheng_office)
    response = post(client, API, {"name": "x", "kind": "tent"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "region_code", "address"} <= fields
    response = post(
        login(changan_office),
        API,
        {
            "name": "越界",
            "kind": "hotel",
            "region_code": city.gaocheng.code,
            "address": "x",
            "latitude": 38,
            "longitude": 114,
            "unit_id": gaocheng_health.pk,
        },
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["region_code"]
    response = post(
        client,
        f"{API}/{camp.pk}/rooms",
        {"floor_from": 1, "floor_to": 1, "rooms_per_floor": 10**12},
    )
    assert response.status_code == 422


def test_a_rooms_status_is_set_and_an_occupied_room_refused(site_manager, camp, city):
    client = login(site_manager)
    a105 = room(camp, "A105")
    response = post(client, f"{API}/{camp.pk}/rooms/{a105.pk}/status", {"status": "out_of_service"})
    assert response.status_code == 200 and response.json()["status"] == "out_of_service"
    stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    a101 = room(camp, "A101")
    response = post(client, f"{API}/{camp.pk}/rooms/{a101.pk}/status", {"status": "cleaning"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_site_staff_read_but_may_not_set_sites_up(site_manager, camp, gaocheng_health, city):
    client = login(site_manager)
    assert client.get(f"{API}/{camp.pk}").status_code == 200
    response = client.patch(f"{API}/{camp.pk}", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 403


def test_patch_changes_only_what_is_given(gaocheng_office, camp):
    response = login(gaocheng_office).patch(
        f"{API}/{camp.pk}",
        {"manager_phone": "13900009999", "reason": "换人"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    camp.refresh_from_db()
    assert camp.manager_phone == "13900009999" and camp.name == "黄庄集中隔离点"


def test_another_district_gets_404_on_every_site_route(changan_office, camp):
    client = login(changan_office)
    a101 = room(camp, "A101")
    assert client.get(f"{API}/{camp.pk}").status_code == 404
    assert client.get(f"{API}/{camp.pk}/rooms").status_code == 404
    assert client.get(f"{API}/forecast", {"site_id": camp.pk}).status_code == 404
    assert (
        client.patch(f"{API}/{camp.pk}", {"name": "x"}, content_type="application/json").status_code
        == 404
    )
    assert (
        post(
            client, f"{API}/{camp.pk}/rooms", {"floor_from": 9, "floor_to": 9, "rooms_per_floor": 1}
        ).status_code
        == 404
    )
    assert (
        post(client, f"{API}/{camp.pk}/rooms/{a101.pk}/status", {"status": "cleaning"}).status_code
        == 404
    )
    listed = {s["name"] for s in client.get(API).json()["items"]}
    assert "黄庄集中隔离点" not in listed


def test_occupancy_and_forecast_cover_the_callers_jurisdiction(
    city_office, changan_office, site_manager, camp, hotel, city
):
    stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    city_view = login(city_office).get(f"{API}/occupancy").json()
    assert city_view["total"] == {
        "region_code": "130100",
        "region_name": "石家庄市",
        "stays_in_site": 1,
        "stays_home": 0,
        "rooms_free": 12 - 1 + 4,
    }
    assert {s["name"] for s in city_view["sites"]} == {"黄庄集中隔离点", "建北宾馆"}
    changan_view = login(changan_office).get(f"{API}/occupancy").json()
    assert [c["region_code"] for c in changan_view["counties"]] == ["130102"]
    assert {s["name"] for s in changan_view["sites"]} == {"建北宾馆"}
    forecasts = login(city_office).get(f"{API}/forecast", {"per_site": "true"}).json()
    # The total first, then the sites by region: Chang'an's codes sort before Gaocheng's.
    assert [f["label"] for f in forecasts] == ["石家庄市", "建北宾馆", "黄庄集中隔离点"]
    assert forecasts[0]["free_now"] == 15 and len(forecasts[0]["days"]) == 7


def test_a_token_reads_sites_in_its_scope(city, city_office, camp, hotel):
    _, secret = live_token(
        name="长安隔离点系统",
        role=Role.COUNTY_OFFICE,
        unit=city.changan_cdc,
        region=city.changan,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert {s["name"] for s in client.get(API).json()["items"]} == {"建北宾馆"}
    assert client.get(f"{API}/{camp.pk}").status_code == 404
    assert Site.objects.count() == 2 and Room.objects.count() == 16
