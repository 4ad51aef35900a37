"""The monitoring pages: a floor's entry sheet, one person's check, the tests due with
their sample and result forms, the alerts; scoped on every route."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from epicommand.quarantine.models import Alert, HealthCheck, StayTest
from epicommand.quarantine.queries import monitoring as queries_monitoring

from .monitoring_world import make_person, monitoring_world  # noqa: F401


@pytest.fixture
def world(city, make_user, city_office):
    return monitoring_world(city, make_user, city_office)


@pytest.fixture
def floor_one(world, city):
    return [
        world.stay(make_person(city, name), number=number)
        for name, number in (("王芳", "101"), ("刘洋", "102"))
    ]


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def floor_url(world) -> str:
    return f"/quarantine/sites/{world.site.pk}/monitoring/?building=A&floor=1"


def test_the_floor_sheet_lists_everyone_on_the_floor_with_inputs(world, floor_one):
    page = english(world.manager).get(floor_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    for stay in floor_one:
        assert f'name="t-{stay.pk}"' in html
    assert "王芳" in html and "刘洋" in html
    assert "Not yet checked this morning" in html or "Not yet checked this afternoon" in html


def test_posting_the_floor_records_the_filled_rows_and_shows_the_alert(world, floor_one):
    client = english(world.manager)
    first, second = floor_one
    response = client.post(
        floor_url(world),
        {
            "building": "A",
            "floor": "1",
            f"t-{first.pk}": "36.5",
            f"t-{second.pk}": "38.6",
            f"s-{second.pk}": ["cough", "fatigue"],
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 checks recorded" in html
    assert "Alert sent to the site" in html
    assert HealthCheck.objects.count() == 2
    assert Alert.objects.get().stay == second
    # Checked rows show their value and no input any more.
    assert f'name="t-{first.pk}"' not in html and "38.6 °C" in html


def test_a_bad_row_refuses_the_floor_and_shows_the_error_on_its_row(world, floor_one):
    client = english(world.manager)
    first, second = floor_one
    response = client.post(
        floor_url(world),
        {"building": "A", "floor": "1", f"t-{first.pk}": "36.5", f"t-{second.pk}": "57"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "temperature: must be between 34.0 and 43.0 °C" in html
    assert 'value="57"' in html and 'value="36.5"' in html
    assert not HealthCheck.objects.exists()


def test_symptoms_without_a_temperature_are_refused(world, floor_one):
    client = english(world.manager)
    response = client.post(
        floor_url(world), {"building": "A", "floor": "1", f"s-{floor_one[0].pk}": "cough"}
    )
    assert response.status_code == 400
    assert "temperature: is required" in response.content.decode()


def test_one_persons_check_form(world, floor_one):
    client = english(world.manager)
    url = f"/quarantine/monitoring/stays/{floor_one[0].pk}/check/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"temperature": "33.0"})
    assert refused.status_code == 400
    assert "must be between 34.0 and 43.0" in refused.content.decode()
    done = client.post(url, {"temperature": "37.9", "symptoms": ["cough"]})
    assert done.status_code == 302
    assert Alert.objects.get().kind == Alert.Kind.FEVER


def test_the_tests_due_page_and_its_forms(world, floor_one):
    client = english(world.manager)
    url = f"/quarantine/sites/{world.site.pk}/tests/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "王芳" in html and "day 1" in html
    test = StayTest.objects.get(stay=floor_one[0], day=1)
    client.post(f"/quarantine/monitoring/tests/{test.pk}/sample/", {"reagent": "甲", "next": url})
    response = client.post(
        f"/quarantine/monitoring/tests/{test.pk}/result/",
        {"result": "positive", "reagent": "", "next": url},
        follow=True,
    )
    assert "Positive: alert sent" in response.content.decode()
    test.refresh_from_db()
    assert test.result == "positive"


def test_the_alerts_page_lists_alerts_newest_first_linking_the_stay(world, floor_one):
    client = english(world.manager)
    for stay, temperature in zip(floor_one, ("38.1", "39.0"), strict=True):
        client.post(f"/quarantine/monitoring/stays/{stay.pk}/check/", {"temperature": temperature})
    html = client.get("/quarantine/alerts/").content.decode()
    html = html[html.index('id="results"') :]  # past the messages of the checks
    assert html.index("刘洋") < html.index("王芳")
    assert "39.0 °C" in html
    assert str(floor_one[0].pk) in html


def test_another_district_gets_404_on_every_monitoring_page(world, floor_one):
    client = english(world.changan_staff)
    english(world.manager).post(
        f"/quarantine/monitoring/stays/{floor_one[0].pk}/check/", {"temperature": "38.5"}
    )
    test = StayTest.objects.get(stay=floor_one[0], day=1)
    answers = [
        client.get(floor_url(world)),
        client.post(
            floor_url(world), {"building": "A", "floor": "1", f"t-{floor_one[1].pk}": "36"}
        ),
        client.get(f"/quarantine/monitoring/stays/{floor_one[0].pk}/check/"),
        client.post(
            f"/quarantine/monitoring/stays/{floor_one[0].pk}/check/", {"temperature": "36.5"}
        ),
        client.get(f"/quarantine/sites/{world.site.pk}/tests/"),
        client.post(f"/quarantine/monitoring/tests/{test.pk}/sample/", {}),
        client.post(f"/quarantine/monitoring/tests/{test.pk}/result/", {"result": "negative"}),
    ]
    assert [r.status_code for r in answers] == [404] * 7
    alerts = client.get("/quarantine/alerts/").content.decode()
    assert "王芳" not in alerts
    sites = client.get("/quarantine/monitoring/").content.decode()
    assert world.site.name not in sites
    assert HealthCheck.objects.count() == 1


def test_viewers_see_the_pages_but_only_workers_record(world, floor_one, gaocheng_epi):
    client = english(gaocheng_epi)
    page = client.get(floor_url(world))
    assert page.status_code == 200 and 'name="t-' not in page.content.decode()
    refused = client.post(
        floor_url(world), {"building": "A", "floor": "1", f"t-{floor_one[0].pk}": "36"}
    )
    assert refused.status_code == 403
    assert client.get(f"/quarantine/monitoring/stays/{floor_one[0].pk}/check/").status_code == 403
    assert client.get("/quarantine/alerts/").status_code == 200


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_for_one_person_or_many(world, city):
    client = english(world.manager)
    first = world.stay(make_person(city, "王芳"), number="101")
    client.post(f"/quarantine/monitoring/stays/{first.pk}/check/", {"temperature": "38.5"})
    urls = [
        floor_url(world),
        f"/quarantine/sites/{world.site.pk}/tests/",
        "/quarantine/alerts/",
    ]
    alone = [queries_for(client, url) for url in urls]
    for name, number in (("刘洋", "102"), ("陈静", "103")):
        stay = world.stay(make_person(city, name), number=number)
        client.post(f"/quarantine/monitoring/stays/{stay.pk}/check/", {"temperature": "38.5"})
    assert [queries_for(client, url) for url in urls] == alone


def test_a_long_floor_comes_a_part_of_the_corridor_at_a_time(world, city, monkeypatch):
    monkeypatch.setattr(queries_monitoring, "SHEET_PAGE", 2)
    stays = [
        world.stay(make_person(city, name), number=number)
        for name, number in (("王芳", "101"), ("刘洋", "102"), ("陈静", "103"))
    ]
    client = english(world.manager)
    first = client.get(floor_url(world)).content.decode()
    assert f'name="t-{stays[1].pk}"' in first and f'name="t-{stays[2].pk}"' not in first
    response = client.post(
        floor_url(world),
        {"building": "A", "floor": "1", f"t-{stays[0].pk}": "36.5", f"t-{stays[1].pk}": "36.6"},
    )
    # Recorded, and on to the next rooms.
    assert response.status_code == 302 and f"after={stays[1].pk}" in response["Location"]
    rest = client.get(response["Location"]).content.decode()
    assert f'name="t-{stays[2].pk}"' in rest and "王芳" not in rest.split('id="missing-title"')[0]
    assert HealthCheck.objects.count() == 2
