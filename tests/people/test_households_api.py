from epicommand.core.models import AuditEvent
from epicommand.people.models import Household
from tests.conftest import login


def test_a_county_user_registers_a_household_in_their_county(gaocheng_epi, city):
    response = login(gaocheng_epi).post(
        "/api/v1/households",
        {"code": "1301091042010099", "region_code": city.xgz.code, "address": "小果庄村 99 号"},
        content_type="application/json",
    )
    assert response.status_code == 201
    household = Household.objects.get(code="1301091042010099")
    assert AuditEvent.objects.get(action="household.create").object_id == str(household.pk)


def test_a_duplicate_number_an_unknown_region_and_a_blank_address_are_named(city_office):
    client = login(city_office)
    body = {"code": "H1", "region_code": "130109104201", "address": "一号"}
    assert (
        client.post("/api/v1/households", body, content_type="application/json").status_code == 201
    )
    response = client.post(
        "/api/v1/households",
        {"code": "H1", "region_code": "130109999999", "address": " "},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"code", "region_code", "address"}
    assert Household.objects.count() == 1


def test_households_of_another_county_are_out_of_reach(changan_epi, gaocheng_person):
    client = login(changan_epi)
    household = gaocheng_person.household
    assert client.get(f"/api/v1/households/{household.pk}").status_code == 404
    assert client.get("/api/v1/households").json()["items"] == []
    response = client.post(
        "/api/v1/households",
        {"code": "H2", "region_code": household.region_id, "address": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_a_household_lists_its_members_masked(gaocheng_epi, gaocheng_person):
    body = login(gaocheng_epi).get(f"/api/v1/households/{gaocheng_person.household_id}").json()
    [member] = body["members"]
    assert member["masked_id"] == "130109********1238"
    assert gaocheng_person.id_number not in str(body)
