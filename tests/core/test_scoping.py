"""DESIGN rule 1 through the API: a user of one county cannot reach another's persons."""

import pytest

from epicommand.core.models import Role
from epicommand.people.models import Person
from tests.conftest import login
from tests.tokens import live_token


def test_a_gaocheng_epidemiologist_gets_404_for_a_changan_person_through_api_detail(
    gaocheng_epi, changan_person
):
    response = login(gaocheng_epi).get(f"/api/v1/persons/{changan_person.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == "not found"


def test_the_api_list_and_search_leave_out_other_counties(
    gaocheng_epi, gaocheng_person, changan_person
):
    client = login(gaocheng_epi)
    listed = client.get("/api/v1/persons").json()["items"]
    assert [p["id"] for p in listed] == [gaocheng_person.pk]
    searched = client.get("/api/v1/persons", {"q": changan_person.id_number}).json()
    assert searched["items"] == []


def test_the_api_export_leaves_out_other_counties(gaocheng_epi, gaocheng_person, changan_person):
    response = login(gaocheng_epi).get("/api/v1/persons/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert gaocheng_person.id_number in body
    assert changan_person.id_number not in body


def test_the_city_office_sees_both_counties(city_office, gaocheng_person, changan_person):
    client = login(city_office)
    listed = client.get("/api/v1/persons").json()["items"]
    assert {p["id"] for p in listed} == {gaocheng_person.pk, changan_person.pk}
    for person in (gaocheng_person, changan_person):
        assert client.get(f"/api/v1/persons/{person.pk}").status_code == 200


def test_a_device_token_is_scoped_to_its_region(city, city_office, gaocheng_person, changan_person):
    _, secret = live_token(
        name="Gaocheng checkpoint 1",
        role=Role.CHECKPOINT_OFFICER,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    from django.test import Client

    client = Client()
    assert client.get(f"/api/v1/persons/{gaocheng_person.pk}", **auth).status_code == 200
    assert client.get(f"/api/v1/persons/{changan_person.pk}", **auth).status_code == 404


def test_a_county_user_cannot_move_a_person_out_of_their_jurisdiction(
    gaocheng_epi, gaocheng_person, city
):
    response = login(gaocheng_epi).patch(
        f"/api/v1/persons/{gaocheng_person.pk}",
        {"region_code": city.community.code},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "region_code", "message": "is outside your jurisdiction"}
    ]
    gaocheng_person.refresh_from_db()
    assert gaocheng_person.region_id == city.xgz.code


@pytest.mark.parametrize("scope", ["gaocheng", "zengcun", "xgz"])
def test_any_scope_level_sees_the_persons_living_below_it(make_user, city, gaocheng_person, scope):
    user = make_user(f"user_{scope}", Role.COMMUNITY_WORKER, getattr(city, scope))
    assert list(Person.objects.visible_to(user)) == [gaocheng_person]


def test_a_user_without_a_scope_region_sees_nobody(make_user, gaocheng_person):
    user = make_user("nowhere", Role.EPIDEMIOLOGIST, None)
    assert not Person.objects.visible_to(user).exists()


def test_a_role_without_person_access_is_forbidden(make_user, city, gaocheng_person):
    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    response = login(lab).get(f"/api/v1/persons/{gaocheng_person.pk}")
    assert response.status_code == 403
