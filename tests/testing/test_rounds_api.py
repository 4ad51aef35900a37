"""/api/v1/testing/rounds: set up, open and close rounds, read their statistics, pooling
advice, assignments and not-yet-sampled lists; scoped (another district's round is 404
on every route); bad input answered 422 naming the field; person lists masked and audited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import AuditEvent, Role
from tests.conftest import login
from tests.tokens import live_token

from .rounds_world import (  # noqa: F401  fixtures
    changan_office_fixture,
    gaocheng_office_fixture,
    make_site,
    new_round,
    residents,
    sample,
    villages_fixture,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/testing/rounds"


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture(name="gaocheng_round")
def gaocheng_round_fixture(gaocheng_office, villages):
    people = residents(villages.xgz, 12)
    found = new_round(gaocheng_office, ["130109"])
    sample(found, people[:4])
    return found


def test_an_office_sets_up_opens_and_closes_a_round(gaocheng_office, villages):
    residents(villages.xgz, 3)
    client = login(gaocheng_office)
    start = timezone.localtime() + timedelta(hours=1)
    made = post(
        client,
        API,
        {
            "name": "第二轮",
            "region_codes": ["130109104"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=3)).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["region_codes"] == ["130109104"] and body["status"] == "planned"
    url = f"{API}/{body['id']}"
    assert post(client, f"{url}/close").status_code == 422
    assert post(client, f"{url}/open", {"reason": "go"}).json()["status"] == "open"
    assert post(client, f"{url}/close").json()["status"] == "closed"
    stats = client.get(f"{url}/statistics").json()
    assert stats["region_code"] == "130109104" and stats["total"]["target"] == 3


def test_bad_round_input_names_the_field(gaocheng_office, villages):
    client = login(gaocheng_office)
    now = timezone.now()
    refused = post(
        client,
        API,
        {
            "name": "x",
            "region_codes": ["130109", "130102"],
            "starts_at": now.isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"region_codes[1]", "ends_at"}
    naive = post(
        client,
        API,
        {"name": "x", "region_codes": ["130109"], "starts_at": "2021-01-12T07:00", "ends_at": "x"},
    )
    assert naive.status_code == 422
    assert {e["field"] for e in naive.json()["errors"]} == {"ends_at"}
    empty = post(client, API, {"name": "x", "region_codes": [], "starts_at": now.isoformat()})
    assert empty.status_code == 422


def test_another_districts_round_is_404_on_every_route(gaocheng_round, changan_office):
    client = login(changan_office)
    url = f"{API}/{gaocheng_round.pk}"
    assert client.get(API).json()["items"] == []
    for response in (
        client.get(url),
        client.get(f"{url}/statistics"),
        client.get(f"{url}/pooling"),
        client.get(f"{url}/assignments"),
        client.get(f"{url}/unsampled?region=130109104201"),
        post(client, f"{url}/open"),
        post(client, f"{url}/close"),
        post(client, f"{url}/assign-communities"),
    ):
        assert response.status_code == 404, response.request["PATH_INFO"]


def test_a_county_sees_its_part_of_a_citywide_round_only(city_office, changan_office, villages):
    residents(villages.xgz, 5)
    residents(villages.jianbei, 7)
    found = new_round(city_office, ["130100"])
    client = login(changan_office)
    assert [r["id"] for r in client.get(API).json()["items"]] == [found.pk]
    stats = client.get(f"{API}/{found.pk}/statistics").json()
    assert stats["region_code"] == "130102" and stats["total"]["target"] == 7
    assert client.get(f"{API}/{found.pk}/statistics?region=130109").status_code == 404
    unsampled = client.get(f"{API}/{found.pk}/unsampled?region=130109104201")
    assert unsampled.status_code == 404
    # It may read the round, not change what the city ordered.
    assert post(client, f"{API}/{found.pk}/open").status_code == 403


def test_statistics_drill_down_and_pooling_advice(gaocheng_round, gaocheng_office):
    client = login(gaocheng_office)
    url = f"{API}/{gaocheng_round.pk}"
    county = client.get(f"{url}/statistics").json()
    assert [r["region_code"] for r in county["regions"]] == ["130109104", "130109105"]
    assert county["regions"][0]["has_children"] is True
    village = client.get(f"{url}/statistics?region=130109104201").json()
    assert village["regions"] == []
    assert (village["total"]["sampled"], village["total"]["not_sampled"]) == (4, 8)
    assert village["total"]["tubes_in_transit"] == 1
    assert client.get(f"{url}/statistics?region=12a").status_code == 422
    assert client.get(f"{url}/statistics?region=999999").status_code == 404
    advice = client.get(f"{url}/pooling").json()
    assert advice["pooling_allowed"] is True and advice["warning"] == ""
    assert advice["pool_sizes"] == [
        {"region_code": "130109", "region_name": "藁城区", "risk_level": "low", "pool_size": 10}
    ]


def test_communities_are_assigned_and_listed(gaocheng_round, gaocheng_office, villages):
    site = make_site(gaocheng_office, villages.xgz, "增村", 38.105, 114.81, opens=0, closes=23)
    client = login(gaocheng_office)
    url = f"{API}/{gaocheng_round.pk}"
    report = post(client, f"{url}/assign-communities").json()
    assert report["assigned"] == 1 and report["unplaced"] == []
    assert report["sites"][0]["site_id"] == site.pk and report["sites"][0]["residents"] == 12
    listed = client.get(f"{url}/assignments").json()["items"]
    assert [(a["region_code"], a["site_id"], a["residents"]) for a in listed] == [
        ("130109104201", site.pk, 12)
    ]


def test_the_unsampled_list_is_masked_paged_and_audited(gaocheng_round, gaocheng_office):
    client = login(gaocheng_office)
    url = f"{API}/{gaocheng_round.pk}/unsampled?region=130109104201&limit=5"
    first = client.get(url).json()
    assert len(first["items"]) == 5 and first["next_after"]
    person = first["items"][0]
    assert "*" in person["id_number"] and "*" in person["phone"]
    rest = client.get(f"{url}&after={first['next_after']}").json()
    assert len(rest["items"]) == 3 and rest["next_after"] is None
    assert AuditEvent.objects.filter(action="testing_round.unsampled_view").count() == 2
    assert client.get(f"{API}/{gaocheng_round.pk}/unsampled?region=130102").status_code == 404
    assert client.get(f"{API}/{gaocheng_round.pk}/unsampled").status_code == 422


def test_roles_without_testing_are_refused(gaocheng_round, make_user, city):
    staff = make_user("q", Role.QUARANTINE_STAFF, city.gaocheng)
    client = login(staff)
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/{gaocheng_round.pk}/statistics").status_code == 403
    epidemiologist = login(make_user("e", Role.EPIDEMIOLOGIST, city.gaocheng))
    assert epidemiologist.get(f"{API}/{gaocheng_round.pk}").status_code == 200
    assert post(epidemiologist, f"{API}/{gaocheng_round.pk}/open").status_code == 403
    assert epidemiologist.get(f"{API}/{gaocheng_round.pk}").json()["status"] == "planned"


def test_a_device_token_reads_its_districts_rounds_only(gaocheng_round, city_office, city):
    def token_client(region, unit):
        _token, secret = live_token(name="终端", role=Role.SAMPLING_STAFF, unit=unit, region=region)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    gaocheng = token_client(city.gaocheng, city.gaocheng_cdc)
    url = f"{API}/{gaocheng_round.pk}/statistics"
    assert gaocheng.get(url).json()["total"]["sampled"] == 4
    assert token_client(city.changan, city.changan_cdc).get(url).status_code == 404
    assert Client().get(url).status_code == 401
