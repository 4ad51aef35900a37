"""Setting sites up and adding their rooms in bulk (a 4,156-room camp in one action), a
room's status between stays, the free-room counter, and the site pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.core.models import AuditEvent, Counter
from epicommand.core.recount import recount
from epicommand.quarantine.models import Room, Site
from epicommand.quarantine.services import sites, stays
from tests.conftest import login

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


def counter(metric: str, code: str = "130109") -> int:
    row = Counter.objects.filter(region_id=code, metric=metric).order_by("-day").first()
    return row.value if row else 0


def site_fields(city, unit, **changes):
    fields = dict(
        name="藁城宾馆",
        kind=Site.Kind.HOTEL,
        region_id=city.gaocheng.code,
        address="藁城区廉州东路 1 号",
        latitude=38.02,
        longitude=114.85,
        unit_id=unit.pk,
    )
    return fields | changes


def test_a_county_office_sets_up_a_site_and_it_is_audited(gaocheng_office, gaocheng_health, city):
    site = sites.create_site(gaocheng_office, **site_fields(city, gaocheng_health))
    assert site.region_id == "130109" and site.is_active
    event = AuditEvent.objects.get(action="quarantine_site.create")
    assert event.actor == gaocheng_office and event.region_id == "130109"


def test_a_site_outside_the_jurisdiction_or_by_the_wrong_role_is_refused(
    gaocheng_office, changan_office, gaocheng_epi, site_manager, gaocheng_health, city
):
    with pytest.raises(ValidationError) as refused:
        sites.create_site(changan_office, **site_fields(city, gaocheng_health))
    assert refused.value.message_dict["region_id"] == ["is outside your jurisdiction"]
    for actor in (gaocheng_epi, site_manager):  # neither may set sites up
        with pytest.raises(PermissionDenied):
            sites.create_site(actor, **site_fields(city, gaocheng_health))


def test_bad_site_fields_are_named(gaocheng_office, gaocheng_health, city):
    with pytest.raises(ValidationError) as refused:
        sites.create_site(
            gaocheng_office,
            **site_fields(
                city,
                gaocheng_health,
                name=" ",
                kind="tent",
                latitude=91,
                manager_phone="call me",
                region_id="130100",
                unit_id=10**20,
            ),
        )
    assert set(refused.value.message_dict) == {
        "name",
        "kind",
        "latitude",
        "manager_phone",
        "region_id",
        "unit_id",
    }


def test_a_4156_room_camp_is_added_in_one_action(gaocheng_office, gaocheng_health, city):
    huangzhuang = sites.create_site(
        gaocheng_office, **site_fields(city, gaocheng_health, name="黄庄公寓", kind="camp")
    )
    added = sites.add_rooms(
        gaocheng_office, huangzhuang, building="A", floor_from=1, floor_to=4, rooms_per_floor=1039
    )
    assert added == 4156
    numbers = list(
        Room.objects.filter(site=huangzhuang)
        .order_by("floor", "number")
        .values_list("number", flat=True)
    )
    assert len(numbers) == 4156 and numbers[0] == "10001" and numbers[-1] == "41039"
    assert (
        Room.objects.filter(site=huangzhuang, status=Room.Status.FREE, region_id="130109").count()
        == 4156
    )
    assert counter("rooms_free") == 4156 and counter("rooms_free", "130100") == 4156
    assert AuditEvent.objects.filter(action="quarantine_room.add").count() == 1


def test_rooms_that_exist_already_are_refused_whole(gaocheng_office, camp):
    before = Room.objects.filter(site=camp).count()
    with pytest.raises(ValidationError) as refused:
        sites.add_rooms(
            gaocheng_office, camp, building="A", floor_from=2, floor_to=3, rooms_per_floor=5
        )
    assert (
        "5 of these rooms exist already in building A"
        in refused.value.message_dict["floor_from"][0]
    )
    assert Room.objects.filter(site=camp).count() == before


def test_room_plans_out_of_bounds_are_refused(gaocheng_office, camp):
    with pytest.raises(ValidationError) as refused:
        sites.add_rooms(
            gaocheng_office, camp, building="B", floor_from=1, floor_to=11, rooms_per_floor=1000
        )
    assert "11000 rooms in one action" in refused.value.message_dict["rooms_per_floor"][0]
    with pytest.raises(ValidationError) as refused:
        sites.add_rooms(
            gaocheng_office, camp, building="B", floor_from=3, floor_to=2, rooms_per_floor=2, beds=2
        )
    assert set(refused.value.message_dict) == {"floor_to", "beds"}


def test_a_room_goes_to_cleaning_out_of_service_and_back(site_manager, camp):
    free = counter("rooms_free")
    a101 = room(camp, "A101")
    sites.set_room_status(site_manager, a101, Room.Status.OUT_OF_SERVICE, reason="水管漏水")
    assert counter("rooms_free") == free - 1
    sites.set_room_status(site_manager, a101, Room.Status.CLEANING)
    sites.set_room_status(site_manager, a101, Room.Status.FREE)
    assert counter("rooms_free") == free
    assert AuditEvent.objects.filter(action="quarantine_room.status").count() == 3


def test_an_occupied_rooms_status_follows_its_stays_only(site_manager, camp, city):
    stays.assign_stay(site_manager, make_person(city.xgz), reason="close_contact", site=camp)
    with pytest.raises(ValidationError) as refused:
        sites.set_room_status(site_manager, room(camp, "A101"), Room.Status.CLEANING)
    assert "is occupied" in refused.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        sites.set_room_status(site_manager, room(camp, "A102"), Room.Status.OCCUPIED)


def test_a_site_out_of_use_takes_its_free_rooms_out_of_the_count(gaocheng_office, camp):
    assert counter("rooms_free") == 12
    sites.update_site(gaocheng_office, camp, is_active=False, reason="改作方舱医院")
    assert counter("rooms_free") == 0
    recount()
    assert counter("rooms_free") == 0
    sites.update_site(gaocheng_office, camp, is_active=True)
    assert counter("rooms_free") == 12
    reasons = AuditEvent.objects.filter(action="quarantine_site.update").order_by("id")
    assert [e.reason for e in reasons] == ["changed is_active: 改作方舱医院", "changed is_active"]


def test_a_site_with_rooms_keeps_its_region(gaocheng_office, camp, city):
    with pytest.raises(ValidationError) as refused:
        sites.update_site(gaocheng_office, camp, region_id=city.xgz.code)
    assert "keeps its region" in refused.value.message_dict["region_id"][0]


# Pages -------------------------------------------------------------------------------------------


def test_the_site_list_shows_the_sites_of_the_jurisdiction_with_their_rooms(
    gaocheng_office, changan_office, camp, hotel
):
    html = login(gaocheng_office).get("/quarantine/sites/").content.decode()
    assert "黄庄集中隔离点" in html and "建北宾馆" not in html
    html = login(changan_office).get("/quarantine/sites/").content.decode()
    assert "建北宾馆" in html and "黄庄集中隔离点" not in html


def test_a_site_is_set_up_and_given_rooms_through_the_pages(
    gaocheng_office, gaocheng_health, site_manager, city
):
    client = login(gaocheng_office)
    response = client.post(
        "/quarantine/sites/new/",
        {
            "name": "岗上观察病区",
            "kind": "ward",
            "region_id": city.gaocheng.code,
            "address": "岗上镇卫生院",
            "latitude": "38.05",
            "longitude": "114.90",
            "unit_id": gaocheng_health.pk,
            "manager_id": site_manager.pk,
            "manager_phone": "13900002222",
            "is_active": "on",
        },
    )
    site = Site.objects.get(name="岗上观察病区")
    assert response.status_code == 302 and response.url == f"/quarantine/sites/{site.pk}/rooms/new/"
    assert site.manager == site_manager
    response = client.post(
        f"/quarantine/sites/{site.pk}/rooms/new/",
        {
            "building": "",
            "floor_from": 2,
            "floor_to": 3,
            "rooms_per_floor": 12,
            "kind": "single",
            "beds": 1,
        },
    )
    assert response.status_code == 302 and response.url == f"/quarantine/sites/{site.pk}/board/"
    assert Room.objects.filter(site=site).count() == 24


def test_the_site_pages_refuse_what_the_form_cannot_hold(gaocheng_office, camp):
    response = login(gaocheng_office).post(
        f"/quarantine/sites/{camp.pk}/rooms/new/",
        {
            "building": "A",
            "floor_from": 1,
            "floor_to": 1,
            "rooms_per_floor": 3,
            "kind": "single",
            "beds": 1,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "exist already in building A" in response.content.decode()


def test_site_staff_may_not_set_sites_up(site_manager, camp):
    client = login(site_manager)
    assert client.get("/quarantine/sites/new/").status_code == 403
    assert client.get(f"/quarantine/sites/{camp.pk}/edit/").status_code == 403
    assert client.get("/quarantine/sites/").status_code == 200


def test_another_districts_office_gets_404_for_the_sites_pages(changan_office, camp):
    client = login(changan_office)
    for url in (
        f"/quarantine/sites/{camp.pk}/edit/",
        f"/quarantine/sites/{camp.pk}/rooms/new/",
        f"/quarantine/sites/{camp.pk}/board/",
        f"/quarantine/sites/{camp.pk}/board/floor/?building=A&floor=1",
        f"/quarantine/sites/{camp.pk}/board/rooms/{room(camp, 'A101').pk}/",
        f"/quarantine/occupancy/?site={camp.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/quarantine/sites/{camp.pk}/board/rooms/{room(camp, 'A101').pk}/assign/",
        f"/quarantine/sites/{camp.pk}/board/rooms/{room(camp, 'A101').pk}/status/",
    ):
        assert client.post(url, {"status": "cleaning"}).status_code == 404, url
