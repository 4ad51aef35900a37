"""The checkpoint pages: the officer's phone screen (whole page and htmx answer), the
list with an officer's own posts first, setting up, the log and its filters, permits,
lockdowns and the priority-testing list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control.models import Checkpoint, Lockdown, Passage, VehiclePermit
from epicommand.testing.models import PriorityTest
from tests.conftest import login

from .checkpoint_world import checkpoint_world


@pytest.fixture
def world(city, make_user, city_office):
    return checkpoint_world(city, make_user, city_office)


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def officer(world):
    return english(login(world.officer))


@pytest.fixture
def office(world):
    return english(login(world.gaocheng_office))


def record_url(world):
    return f"/checkpoints/{world.checkpoint.pk}/record/"


def test_the_officer_sees_the_posts_of_the_unit_first(world, officer):
    page = officer.get("/checkpoints/").content.decode()
    mine = page.index("Staffed by your unit")
    assert page.index(record_url(world)) > mine
    assert "建华大街检查站" not in page


def test_the_phone_screen_records_a_fever_and_shows_deny(world, officer, gaocheng_person):
    page = officer.get(record_url(world))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store, private"
    assert 'name="passer"' in page.content.decode()
    response = officer.post(
        record_url(world),
        {"passer": gaocheng_person.id_number, "temperature": "38.1", "direction": "in"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="deny"' in html and "fever 38.1 °C" in html
    assert "张*" in html and "130109********1238" in html
    assert "130109198005171238" not in html


def test_the_htmx_answer_is_the_panel_with_a_fresh_form(world, officer, gaocheng_person):
    response = officer.post(
        record_url(world),
        {"passer": gaocheng_person.id_number, "temperature": "36.5", "direction": "out"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="recorder"' in html
    assert 'data-verdict="pass"' in html
    assert gaocheng_person.id_number not in html  # the box is empty for the next passer
    assert 'value="out" id="id_direction_1" required checked' in html  # same direction


def test_a_mistake_comes_back_on_the_form(world, officer, gaocheng_person):
    whole = officer.post(
        record_url(world),
        {"passer": gaocheng_person.id_number, "temperature": "44", "direction": "in"},
    )
    assert whole.status_code == 400
    assert "must be between 34.0 and 43.0 °C" in whole.content.decode()
    partial = officer.post(
        record_url(world),
        {"passer": "130109198001011235", "temperature": "36.5", "direction": "in"},
        HTTP_HX_REQUEST="true",
    )
    assert partial.status_code == 200  # htmx swaps only a 2xx answer
    assert "no person registered with this ID number" in partial.content.decode()
    assert not Passage.objects.exists()


def test_a_vehicle_from_the_phone_screen(world, officer, gaocheng_person, changan_person):
    response = officer.post(
        record_url(world),
        {
            "passer": gaocheng_person.id_number,
            "temperature": "36.5",
            "direction": "out",
            "plate": "冀a 66666",
            "passengers": f"{changan_person.id_number} 37.9\n",
        },
    )
    html = response.content.decode()
    assert 'data-verdict="deny"' in html
    assert "another person in the vehicle: Deny" in html
    assert Passage.objects.filter(plate="冀A66666", vehicle_people=2).count() == 2


def test_a_passenger_line_mistake_names_the_line(world, officer, gaocheng_person):
    response = officer.post(
        record_url(world),
        {
            "passer": gaocheng_person.id_number,
            "direction": "out",
            "plate": "冀A66666",
            "passengers": "130109198001011235",
        },
    )
    assert response.status_code == 400
    assert "line 1: no person registered with this ID number" in response.content.decode()


def test_an_office_sets_up_and_edits_a_checkpoint_by_form(world, office, city):
    response = office.post(
        "/checkpoints/new/",
        {
            "name": "G107 南董检查站",
            "kind": "road",
            "region_id": city.gaocheng.code,
            "road": "G107",
            "latitude": "38.0",
            "longitude": "114.9",
            "unit_ids": [world.police.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    made = Checkpoint.objects.get(name="G107 南董检查站")
    assert list(made.units.all()) == [world.police]
    edit = office.post(
        f"/checkpoints/{made.pk}/edit/",
        {
            "name": "G107 南董检查站",
            "kind": "road",
            "region_id": city.gaocheng.code,
            "latitude": "38.0",
            "longitude": "114.9",
        },
    )
    assert edit.status_code == 302
    made.refresh_from_db()
    assert (made.is_active, made.road, list(made.units.all())) == (False, "", [])


def test_the_officer_cannot_set_up_checkpoints(officer):
    assert officer.get("/checkpoints/new/").status_code == 403


def test_the_log_filters(world, office, officer, gaocheng_person, changan_person):
    world.passage(gaocheng_person, "38.2")
    world.passage(changan_person, "36.4", plate="冀A77777", direction="in")
    yesterday = timezone.now() - timedelta(days=1)
    world.passage(changan_person, "36.5", passed_at=yesterday)

    def rows(query):
        return (
            office.get(f"/checkpoints/passages/?{query}").content.decode().count("<tr data-verdict")
        )

    assert rows("") == 3
    assert rows("verdict=deny") == 1
    assert rows("fever=on") == 1
    assert rows("direction=in") == 1
    assert rows("plate=冀a·77777") == 1
    today = timezone.localdate()
    assert rows(f"date_from={today}&date_to={today}") == 2
    assert rows(f"date_to={today - timedelta(days=1)}") == 1
    assert rows(f"checkpoint={world.checkpoint.pk}") == 3
    assert rows("region=130102") == 0


def test_the_log_pages_by_key(world, office, gaocheng_person):
    for n in range(3):
        world.passage(gaocheng_person, direction="in" if n % 2 else "out")
    from epicommand.control.queries import checkpoints as queries_checkpoints

    rows, next_after = queries_checkpoints.passage_page(
        world.gaocheng_office, queries_checkpoints.PassageFilter(), limit=2
    )
    assert len(rows) == 2 and next_after == rows[1].pk
    rest, last = queries_checkpoints.passage_page(
        world.gaocheng_office, queries_checkpoints.PassageFilter(), after=next_after, limit=2
    )
    assert len(rest) == 1 and last is None
    page = office.get(f"/checkpoints/passages/?after={next_after}").content.decode()
    assert page.count("<tr data-verdict") == 1


def test_permits_page_issues_and_revokes(world, office):
    now = timezone.localtime()
    response = office.post(
        "/checkpoints/permits/",
        {
            "plate": "冀A 88888",
            "holder": "藁城区供销社",
            "purpose": "生活物资配送",
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    permit = VehiclePermit.objects.get()
    assert (permit.plate, permit.region_id, permit.issued_by) == (
        "冀A88888",
        "130109",
        world.gaocheng_office,
    )
    page = office.get("/checkpoints/permits/").content.decode()
    assert permit.number in page
    office.post(f"/checkpoints/permits/{permit.pk}/revoke/")
    permit.refresh_from_db()
    assert permit.revoked_at is not None
    bad = office.post(
        "/checkpoints/permits/",
        {
            "plate": "冀A1",
            "holder": "x",
            "purpose": "y",
            "valid_from": (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert bad.status_code == 400 and "is in the past" in bad.content.decode()


def test_lockdowns_page_declares_and_lifts(world, office, officer, city):
    office.post("/checkpoints/lockdowns/", {"region_id": city.zengcun.code, "reason": "封控"})
    lockdown = Lockdown.objects.get()
    assert "增村镇" in officer.get("/checkpoints/lockdowns/").content.decode()
    record = officer.get(record_url(world)).content.decode()
    assert "is under lockdown: vehicles need a permit" in record
    assert officer.post("/checkpoints/lockdowns/", {"region_id": "130109"}).status_code == 403
    office.post(f"/checkpoints/lockdowns/{lockdown.pk}/lift/")
    lockdown.refresh_from_db()
    assert lockdown.lifted_at is not None


def test_the_priority_list_flags_the_overdue(world, city_office, gaocheng_person, changan_person):
    world.passage(gaocheng_person, "38.0")
    world.passage(changan_person, "38.6", now=timezone.now() - timedelta(days=1))
    assert PriorityTest.objects.count() == 2
    page = english(login(city_office)).get("/priority-tests/").content.decode()
    assert page.count("overdue</span>") == 1
    assert page.index("130102********0022") < page.index("130109********1238")  # earliest first
    only = english(login(city_office)).get("/priority-tests/?overdue=on").content.decode()
    assert "130109********1238" not in only


def test_an_officer_may_not_read_the_priority_list(officer):
    assert officer.get("/priority-tests/").status_code == 403


def test_the_same_form_sent_twice_records_the_passer_once(world, officer, gaocheng_person):
    page = officer.get(record_url(world)).content.decode()
    client_id = page.split('name="client_id" value="')[1].split('"')[0]
    form = {
        "passer": gaocheng_person.id_number,
        "temperature": "38.0",
        "direction": "in",
        "client_id": client_id,
    }
    first = officer.post(record_url(world), form).content.decode()
    assert client_id not in first  # the next passer gets a new id
    again = officer.post(record_url(world), form).content.decode()
    assert "Already recorded: nothing changed." in again
    assert Passage.objects.count() == 1 and PriorityTest.objects.count() == 1
