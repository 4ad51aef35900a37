"""/api/v1/quarantine/monitoring: checks (one, a floor), missing checks, tests due,
samples, results, alerts. Errors name the field; another district gets 404."""

import pytest

from epicommand.core.models import Role
from epicommand.quarantine.models import Alert, HealthCheck, StayTest
from tests.conftest import login
from tests.tokens import live_token

from .monitoring_world import make_person, monitoring_world  # noqa: F401

API = "/api/v1/quarantine/monitoring"


@pytest.fixture
def world(city, make_user, city_office):
    return monitoring_world(city, make_user, city_office)


@pytest.fixture
def floor_one(world, city):
    return [
        world.stay(make_person(city, name), number=number)
        for name, number in (("王芳", "101"), ("刘洋", "102"))
    ]


def post(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_one_check_with_fever_answers_with_its_alert(world, floor_one):
    response = post(
        login(world.manager),
        f"{API}/checks",
        {"stay_id": floor_one[0].pk, "temperature": 38.4, "symptoms": ["cough"]},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["temperature"] == "38.4" or float(body["temperature"]) == 38.4
    assert body["alert"]["kind"] == "fever"
    assert body["alert"]["person_name"] == "王芳"
    assert body["alert"]["masked_id"].count("*") > 0


def test_a_temperature_out_of_range_is_422_naming_temperature(world, floor_one):
    response = post(
        login(world.manager), f"{API}/checks", {"stay_id": floor_one[0].pk, "temperature": 45}
    )
    assert response.status_code == 422
    assert fields(response) == {"temperature"}


def test_a_floor_is_recorded_whole_or_refused_with_item_errors(world, floor_one):
    client = login(world.manager)
    bad = {
        "site_id": world.site.pk,
        "building": "A",
        "floor": 1,
        "items": [
            {"stay_id": floor_one[0].pk, "temperature": 36.5},
            {"stay_id": floor_one[1].pk, "temperature": 31},
        ],
    }
    response = post(client, f"{API}/floors", bad)
    assert response.status_code == 422
    assert fields(response) == {"items[1].temperature"}
    assert not HealthCheck.objects.exists()

    bad["items"][1]["temperature"] = 37.8
    response = post(client, f"{API}/floors", bad)
    assert response.status_code == 201
    body = response.json()
    assert len(body["recorded"]) == 2 and body["already_checked"] == []
    assert [r["alert"] is not None for r in body["recorded"]] == [False, True]

    again = post(client, f"{API}/floors", bad).json()
    assert again["recorded"] == []
    assert sorted(again["already_checked"]) == sorted(s.pk for s in floor_one)


def test_the_missing_checks_and_tests_due_of_a_site(world, floor_one):
    client = login(world.manager)
    post(client, f"{API}/checks", {"stay_id": floor_one[0].pk, "temperature": 36.5})
    missing = client.get(f"{API}/sites/{world.site.pk}/missing").json()
    assert [m["stay_id"] for m in missing["items"]] == [floor_one[1].pk]
    assert missing["items"][0]["room"] == "102"

    due = client.get(f"{API}/sites/{world.site.pk}/tests-due").json()
    assert sorted(t["stay_id"] for t in due["items"]) == sorted(s.pk for s in floor_one)
    assert {(t["day"], t["phase"], t["overdue"]) for t in due["items"]} == {(1, "site", False)}


def test_sample_and_results_through_the_api(world, floor_one):
    client = login(world.manager)
    first = StayTest.objects.get(stay=floor_one[0], day=1)
    response = post(client, f"{API}/tests/{first.pk}/sample", {"reagent": "达安基因"})
    assert response.status_code == 200 and response.json()["result"] == "sampled"
    response = post(client, f"{API}/tests/{first.pk}/result", {"result": "invalid"})
    body = response.json()
    assert response.status_code == 200
    assert body["test"]["result"] == "invalid" and body["resample"]["day"] == 2

    second = StayTest.objects.get(stay=floor_one[1], day=1)
    body = post(client, f"{API}/tests/{second.pk}/result", {"result": "positive"}).json()
    assert body["alert"]["kind"] == "positive"
    assert body["transferred"] is True


def test_the_release_reagent_rule_answers_422_naming_reagent(world, floor_one):
    client = login(world.manager)
    site_test = StayTest.objects.get(stay=floor_one[0], day=14, phase="site")
    release = StayTest.objects.get(stay=floor_one[0], day=14, phase="release")
    post(client, f"{API}/tests/{site_test.pk}/result", {"result": "negative", "reagent": "甲"})
    response = post(
        client, f"{API}/tests/{release.pk}/result", {"result": "negative", "reagent": "甲"}
    )
    assert response.status_code == 422 and fields(response) == {"reagent"}


def test_alerts_list_newest_first_for_the_callers_jurisdiction_only(world, floor_one):
    client = login(world.manager)
    post(client, f"{API}/checks", {"stay_id": floor_one[0].pk, "temperature": 38.0})
    post(
        client,
        f"{API}/checks",
        {"stay_id": floor_one[1].pk, "temperature": 36.6, "symptoms": ["cough"]},
    )
    items = client.get(f"{API}/alerts").json()["items"]
    assert [(a["person_name"], a["kind"]) for a in items] == [
        ("刘洋", "symptoms"),
        ("王芳", "fever"),
    ]
    assert client.get(f"{API}/alerts?kind=fever").json()["items"][0]["person_name"] == "王芳"
    assert login(world.changan_staff).get(f"{API}/alerts").json()["items"] == []


def test_another_district_gets_404_on_every_monitoring_route(world, floor_one):
    client = login(world.changan_staff)
    stay = floor_one[0]
    test = StayTest.objects.get(stay=stay, day=1)
    answers = [
        post(client, f"{API}/checks", {"stay_id": stay.pk, "temperature": 36.5}),
        post(
            client,
            f"{API}/floors",
            {
                "site_id": world.site.pk,
                "building": "A",
                "floor": 1,
                "items": [{"stay_id": stay.pk, "temperature": 36.5}],
            },
        ),
        client.get(f"{API}/sites/{world.site.pk}/missing"),
        client.get(f"{API}/sites/{world.site.pk}/tests-due"),
        post(client, f"{API}/tests/{test.pk}/sample", {}),
        post(client, f"{API}/tests/{test.pk}/result", {"result": "negative"}),
    ]
    assert [r.status_code for r in answers] == [404] * 6
    assert not HealthCheck.objects.exists()
    test.refresh_from_db()
    assert test.result == "pending"


def test_a_token_reads_and_enters_results_but_records_no_check(world, floor_one, city, city_office):
    _, secret = live_token(
        name="county",
        role=Role.COUNTY_OFFICE,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    client = login(world.manager)
    client.logout()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = post(
        client, f"{API}/checks", {"stay_id": floor_one[0].pk, "temperature": 36.5}, **headers
    )
    assert response.status_code == 403
    test = StayTest.objects.get(stay=floor_one[0], day=1)
    response = post(client, f"{API}/tests/{test.pk}/result", {"result": "negative"}, **headers)
    assert response.status_code == 200
    assert client.get(f"{API}/alerts", **headers).status_code == 200


def test_roles_without_the_capability_get_403(world, floor_one, gaocheng_epi):
    client = login(gaocheng_epi)  # epidemiologists view quarantine, do not work it
    response = post(client, f"{API}/checks", {"stay_id": floor_one[0].pk, "temperature": 36.5})
    assert response.status_code == 403
    assert client.get(f"{API}/alerts").status_code == 200


def test_bad_input_is_refused_cleanly(world, floor_one):
    client = login(world.manager)
    answers = [
        post(client, f"{API}/checks", {"stay_id": 2**70, "temperature": 36.5}),
        post(client, f"{API}/checks", {"stay_id": floor_one[0].pk, "temperature": "3\x006"}),
        post(
            client,
            f"{API}/checks",
            {"stay_id": floor_one[0].pk, "temperature": 36.5, "symptoms": ["x"]},
        ),
        post(client, f"{API}/floors", {"site_id": world.site.pk, "floor": 1, "items": []}),
        client.get(f"{API}/sites/{2**70}/missing"),
        client.get(f"{API}/alerts?days=0"),
        post(client, f"{API}/tests/1/result", {"result": "maybe"}),
    ]
    # A NUL character is refused before any route (core.middleware): 400.
    assert [r.status_code for r in answers] == [422, 400, 422, 422, 422, 422, 422]
    assert all(r.json()["errors"] for r in answers)
    assert not Alert.objects.exists()
