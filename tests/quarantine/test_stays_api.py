"""/api/v1/quarantine/stays: assign one or a batch, read, arrival, release, home
monitoring, hospital; 422 naming each reason; 404 outside the jurisdiction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.quarantine.models import Stay, StayTest
from epicommand.quarantine.services import stays
from tests.clock import earlier_today

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    hotel_fixture,
    login_en,
    make_household,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/quarantine/stays"


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_a_stay_is_assigned_by_id_number_and_read_back_masked(site_manager, camp, city):
    person = make_person(city.xgz, name="孙悦")
    client = login_en(site_manager)
    response = post(
        client,
        API,
        {
            "id_number": person.id_number,
            "reason": "close_contact",
            "site_id": camp.pk,
            "pickup_address": "小果庄村 5 号",
            "vehicle": "冀A·Q7788",
            "pickup_at": earlier_today().replace(tzinfo=None).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["masked_name"] == "孙*" and body["room"] == "A101"
    assert body["status"] == "in_transfer" and body["days_remaining"] == 14
    listed = client.get(API).json()["items"]
    assert [s["id"] for s in listed] == [body["id"]] and "孙悦" not in str(listed)


def test_the_stay_detail_is_full_audited_and_lists_what_blocks_the_release(
    site_manager, camp, city
):
    stay = stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    body = login_en(site_manager).get(f"{API}/{stay.pk}").json()
    assert body["person"]["id_number"] == stay.person.id_number
    assert len(body["tests"]) == 7
    fields = [p["field"] for p in body["release_problems"]]
    assert fields == ["status", "planned_site_end"] + ["tests"] * 5
    assert AuditEvent.objects.filter(action="quarantine_stay.view", object_id=str(stay.pk)).exists()


def test_arrival_release_and_home_monitoring_through_the_api(site_manager, camp, city):
    client = login_en(site_manager)
    # Picked up 21 days ago (entered late): 14 days in the site and 7 at home are served.
    stay = stays.assign_stay(
        site_manager,
        make_person(city.xgz),
        reason="close_contact",
        site=camp,
        started_at=timezone.now() - timedelta(days=21),
    )
    release = post(client, f"{API}/{stay.pk}/release")
    assert release.status_code == 422
    assert {e["field"] for e in release.json()["errors"]} == {"status", "tests"}
    assert post(client, f"{API}/{stay.pk}/arrival").json()["status"] == "in_site"
    StayTest.objects.filter(stay=stay).update(result=StayTest.Result.NEGATIVE)
    assert post(client, f"{API}/{stay.pk}/release").json()["status"] == "home_monitoring"
    ended = post(client, f"{API}/{stay.pk}/end-home-monitoring")
    assert ended.status_code == 200 and ended.json()["status"] == "released"


def test_a_person_in_a_stay_and_an_occupied_room_are_refused_with_reasons(site_manager, camp, city):
    client = login_en(site_manager)
    first = stays.assign_stay(
        site_manager, make_person(city.xgz), reason="close_contact", site=camp
    )
    again = post(
        client, API, {"person_id": first.person_id, "reason": "close_contact", "site_id": camp.pk}
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "person"
    assert f"already in stay {first.pk}" in again.json()["errors"][0]["message"]
    taken = post(
        client,
        API,
        {
            "person_id": make_person(city.xgz).pk,
            "reason": "close_contact",
            "site_id": camp.pk,
            "room_id": first.room_id,
        },
    )
    assert taken.status_code == 422
    assert taken.json()["errors"] == [{"field": "room", "message": "room A101 is occupied"}]


def test_a_batch_is_assigned_or_refused_whole(site_manager, camp, city):
    client = login_en(site_manager)
    family = make_household(city.xgz, "1301091042010300")
    persons = [make_person(city.xgz, household=family) for _ in range(2)] + [make_person(city.xgz)]
    items = [
        {"client_id": f"c-{p.pk}", "person_id": p.pk, "reason": "close_contact"} for p in persons
    ]
    bad = post(
        client,
        f"{API}/batch",
        {
            "site_id": camp.pk,
            "items": [
                *items,
                {"client_id": "c-x", "person_id": 10**9, "reason": "x", "started_at": "昨天"},
            ],
        },
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "items[3].person_id",
        "items[3].reason",
        "items[3].started_at",
    }
    assert not Stay.objects.exists()
    good = post(client, f"{API}/batch", {"site_id": camp.pk, "items": items})
    assert good.status_code == 200, good.content
    assigned = {i["person_id"]: i["room"] for i in good.json()["items"]}
    assert assigned == {persons[0].pk: "F101", persons[1].pk: "F101", persons[2].pk: "A101"}


def test_a_stay_goes_to_hospital(site_manager, camp, city):
    stay = stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    response = post(login_en(site_manager), f"{API}/{stay.pk}/hospital", {"reason": "阳性"})
    assert response.status_code == 200 and response.json()["status"] == "to_hospital"


def test_another_district_gets_404_on_every_stay_route(changan_office, site_manager, camp, city):
    stay = stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    client = login_en(changan_office)
    assert client.get(f"{API}/{stay.pk}").status_code == 404
    for step in ("arrival", "release", "end-home-monitoring", "hospital"):
        assert post(client, f"{API}/{stay.pk}/{step}").status_code == 404, step
    assert client.get(API, {"status": "all"}).json()["items"] == []
    batch = post(
        client,
        f"{API}/batch",
        {"site_id": camp.pk, "items": [{"person_id": 1, "reason": "inbound"}]},
    )
    assert batch.status_code == 404
    assign = post(
        client, API, {"person_id": stay.person_id, "reason": "inbound", "site_id": camp.pk}
    )
    assert assign.status_code == 404  # the person is not Chang'an's to name by id


def test_the_list_filters_by_site_status_and_id_number(site_manager, camp, city):
    kept = stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    stays.assign_stay(site_manager, make_person(city.xgz), reason="inbound", site=camp)
    client = login_en(site_manager)
    assert len(client.get(API, {"site_id": camp.pk}).json()["items"]) == 2
    assert len(client.get(API, {"reason": "inbound"}).json()["items"]) == 1
    found = client.get(API, {"id_number": kept.person.id_number}).json()["items"]
    assert [s["id"] for s in found] == [kept.pk]
    assert client.get(API, {"status": "nonsense"}).status_code == 422
    page = client.get(API, {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_after"] is not None
