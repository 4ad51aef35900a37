"""The vaccination API: a county's token sees its own sites and overdue series, another
county's site is 404, a revoked token is 401, a bad body is 422 naming the field, a dose
before the minimum interval is 422 naming given_at, a full slot 422 naming slot."""

import io
import json

import pytest
from django.test import Client

from epicommand.core.models import Role
from epicommand.core.services import revoke_api_token
from epicommand.vaccination.models import Dose, RosterEntry
from tests.conftest import login
from tests.tokens import live_token

from .conftest import NO, at_day, make_person, slot_at

pytestmark = pytest.mark.django_db
API = "/api/v1/vaccination"


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def office_token(world, city, city_office):
    token, secret = live_token(
        name="gaocheng",
        role=Role.COUNTY_OFFICE,
        unit=city.office,
        region=city.gaocheng,
    )
    return token, secret


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_county_lists_its_sites_and_not_anothers(world, office_token):
    _token, secret = office_token
    response = bearer(secret).get(f"{API}/sites")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [world.site.pk]
    assert bearer(secret).get(f"{API}/sites/{world.other_site.pk}/slots").status_code == 404


def test_a_revoked_token_is_401(world, office_token, city_office):
    token, secret = office_token
    revoke_api_token(city_office, token)
    assert bearer(secret).get(f"{API}/sites").status_code == 401


def test_the_desk_records_a_dose_and_refuses_one_too_soon(world, city):
    person = make_person(city.xgz, 1)
    client = login(world.vaccinator)
    body = {"document": person.id_number, "product": "bbibp", "lot": "L1", "screening": NO}
    first = post(
        client, f"{API}/sites/{world.site.pk}/doses", {**body, "given_at": at_day(3).isoformat()}
    )
    assert first.status_code == 201, first.content
    assert first.json()["dose_number"] == 1 and first.json()["vaccinator"] == "nurse"
    again = post(client, f"{API}/sites/{world.site.pk}/doses", body)
    assert again.status_code == 422
    assert "given_at" in json.dumps(again.json())
    assert Dose.objects.count() == 1


def test_a_bad_body_names_the_field(world):
    client = login(world.vaccinator)
    response = post(client, f"{API}/sites/{world.site.pk}/doses", {"document": "x", "lot": "L1"})
    assert response.status_code == 422
    text = json.dumps(response.json())
    assert "product" in text and "screening" in text


def test_another_countys_vaccinator_gets_404_for_the_site(world, city):
    person = make_person(city.xgz, 2)
    body = {"document": person.id_number, "product": "bbibp", "lot": "L1", "screening": NO}
    response = post(login(world.changan_vaccinator), f"{API}/sites/{world.site.pk}/doses", body)
    assert response.status_code == 404


def test_an_employer_books_until_the_slot_is_full(world, city):
    slot = slot_at(world.site, capacity=1)
    client = login(world.officer)
    staff = []
    for n in (1, 2):
        person = make_person(city.xgz, n)
        RosterEntry.objects.create(
            unit=world.police, person=person, group="police_fire_community", region=city.gaocheng
        )
        staff.append(person)
    ok = post(client, f"{API}/bookings", {"slot_id": slot.pk, "id_number": staff[0].id_number})
    assert ok.status_code == 201
    full = post(client, f"{API}/bookings", {"slot_id": slot.pk, "id_number": staff[1].id_number})
    assert full.status_code == 422 and "slot" in json.dumps(full.json())


def test_a_roster_upload_answers_the_lines_in_error(world, city):
    client = login(world.officer)
    data = io.BytesIO(b"id_number,group\n130109198001010011,astronauts\n")
    data.name = "staff.csv"
    response = client.post(f"{API}/rosters", {"file": data})
    assert response.status_code == 422
    columns = {(e["line"], e["column"]) for e in response.json()["errors"]}
    assert {(2, "id_number"), (2, "group")} <= columns


def test_overdue_and_coverage_are_scoped(world, city, office_token):
    person = make_person(city.xgz, 3)
    post(
        login(world.vaccinator),
        f"{API}/sites/{world.site.pk}/doses",
        {
            "document": person.id_number,
            "product": "bbibp",
            "lot": "L1",
            "screening": NO,
            "given_at": at_day(70).isoformat(),
        },
    )
    _token, secret = office_token
    rows = bearer(secret).get(f"{API}/overdue").json()
    assert len(rows) == 1 and "*" in rows[0]["id_number"]
    assert login(world.changan_office).get(f"{API}/overdue").json() == []
    assert bearer(secret).get(f"{API}/coverage").json()["total"]["begun"] == 1
    assert bearer(secret).get(f"{API}/overdue?state=later").status_code == 422
