"""The room board, the stay pages and the occupancy page: what a site manager and a
command office see and do, scoped to their jurisdiction, masked in lists, audited in
full, without a query per room."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.quarantine.models import Room, Stay, StayTest
from epicommand.quarantine.services import sites, stays

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    hotel_fixture,
    login_en,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lodged(site_manager, camp, city):
    """Wang Xiaoming (王小明) in A102, arrived; another in A103 still in transfer."""
    wang = make_person(city.xgz, name="王小明")
    stay = stays.assign_stay(
        site_manager, wang, reason="close_contact", site=camp, room=room(camp, "A102")
    )
    stays.confirm_arrival(site_manager, stay)
    stays.assign_stay(
        site_manager, make_person(city.xgz), reason="inbound", site=camp, room=room(camp, "A103")
    )
    return stay


def test_the_board_colours_rooms_and_tells_who_is_in_them_masked(site_manager, camp, lodged):
    html = login_en(site_manager).get(f"/quarantine/sites/{camp.pk}/board/").content.decode()
    a102, a103, a101 = (room(camp, label) for label in ("A102", "A103", "A101"))
    assert f'id="room-{a102.pk}" class="room occupied"' in html
    assert f'id="room-{a103.pk}" class="room occupied transfer"' in html
    assert f'id="room-{a101.pk}" class="room free"' in html
    assert "王*明" in html and "王小明" not in html
    assert "14 days left" in html
    assert 'data-count="occupied">2<' in html


def test_the_board_reads_a_floor_in_a_fixed_number_of_queries(
    site_manager, gaocheng_office, camp, lodged, django_assert_max_num_queries
):
    sites.add_rooms(
        gaocheng_office, camp, building="B", floor_from=1, floor_to=2, rooms_per_floor=400
    )
    client = login_en(site_manager)
    client.get(f"/quarantine/sites/{camp.pk}/board/")  # the session and caches warm
    # Session, user, notifications, site, floors, rooms, stays: never one per room.
    with django_assert_max_num_queries(10):
        response = client.get(f"/quarantine/sites/{camp.pk}/board/floor/", {"building": "B"})
    assert response.content.decode().count('class="room free"') == 800
    with django_assert_max_num_queries(12):
        page = client.get(f"/quarantine/sites/{camp.pk}/board/")
    assert page.status_code == 200


def test_a_large_building_loads_its_other_floors_as_they_scroll_in(
    site_manager, gaocheng_office, camp
):
    sites.add_rooms(
        gaocheng_office, camp, building="C", floor_from=1, floor_to=3, rooms_per_floor=500
    )
    html = (
        login_en(site_manager)
        .get(f"/quarantine/sites/{camp.pk}/board/", {"building": "C"})
        .content.decode()
    )
    assert html.count('class="room free"') == 500  # the first floor drawn
    assert html.count('hx-trigger="revealed"') == 2  # floors 2 and 3 load on scroll


def test_a_room_is_assigned_from_the_board_and_its_cell_redrawn(site_manager, camp, city):
    person = make_person(city.xgz, name="李建国")
    a201 = room(camp, "A201")
    response = login_en(site_manager).post(
        f"/quarantine/sites/{camp.pk}/board/rooms/{a201.pk}/assign/",
        {
            "id_number": person.id_number,
            "reason": "close_contact",
            "pickup_address": "小果庄村 8 号",
            "vehicle": "冀A·D1234",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'id="room-{a201.pk}" class="room occupied transfer"' in html
        and 'hx-swap-oob="true"' in html
    )
    assert "李*国" in html
    stay = Stay.objects.get(person=person)
    assert stay.room == a201 and stay.pickup_address == "小果庄村 8 号"


def test_the_board_says_why_a_room_is_refused(site_manager, camp, lodged, city):
    a102 = room(camp, "A102")
    response = login_en(site_manager).post(
        f"/quarantine/sites/{camp.pk}/board/rooms/{a102.pk}/assign/",
        {"id_number": lodged.person.id_number, "reason": "close_contact"},
        **HTMX,
    )
    html = response.content.decode()
    assert f"already in stay {lodged.pk}" in html
    unknown = login_en(site_manager).post(
        f"/quarantine/sites/{camp.pk}/board/rooms/{room(camp, 'A104').pk}/assign/",
        {"id_number": "130109200001010011", "reason": "close_contact"},
        **HTMX,
    )
    assert "no person registered with this ID number" in unknown.content.decode()
    assert Stay.objects.count() == 2


def test_the_stay_list_is_masked_and_shows_days_remaining(site_manager, lodged):
    html = login_en(site_manager).get("/quarantine/stays/").content.decode()
    assert "王*明" in html and "王小明" not in html
    assert lodged.person.id_number not in html and lodged.person.masked_id in html
    assert "<strong>14</strong>" in html


def test_the_stay_page_shows_the_person_in_full_and_is_audited(site_manager, lodged):
    html = login_en(site_manager).get(f"/quarantine/stays/{lodged.pk}/").content.decode()
    assert "王小明" in html and lodged.person.id_number in html
    event = AuditEvent.objects.get(action="quarantine_stay.view")
    assert event.actor == site_manager and event.object_id == str(lodged.pk)


def test_the_stay_page_shows_why_release_is_refused_and_the_post_refuses_it(site_manager, lodged):
    client = login_en(site_manager)
    html = client.get(f"/quarantine/stays/{lodged.pk}/").content.decode()
    assert "14 more day(s)" in html
    assert html.count("Not yet sampled, not negative") == 5  # days 1, 4, 7, 14 and release
    assert "disabled" in html
    response = client.post(f"/quarantine/stays/{lodged.pk}/release/", follow=True)
    assert "Refused: the centralized part is served on" in response.content.decode()
    lodged.refresh_from_db()
    assert lodged.status == Stay.Status.IN_SITE


def test_the_stay_pages_release_when_the_conditions_hold(
    settings, monkeypatch, site_manager, lodged
):
    moment = timezone.now() + timedelta(days=14)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    StayTest.objects.filter(stay=lodged).update(result=StayTest.Result.NEGATIVE)
    client = login_en(site_manager)
    response = client.post(f"/quarantine/stays/{lodged.pk}/release/")
    assert response.status_code == 302
    lodged.refresh_from_db()
    assert lodged.status == Stay.Status.HOME_MONITORING
    assert room(lodged.site, "A102").status == Room.Status.CLEANING


def test_a_stay_is_assigned_from_the_stays_page(site_manager, camp, city):
    person = make_person(city.xgz)
    response = login_en(site_manager).post(
        "/quarantine/stays/new/",
        {"id_number": person.id_number, "reason": "high_risk_area", "site": camp.pk},
    )
    stay = Stay.objects.get(person=person)
    assert response.status_code == 302 and response.url == f"/quarantine/stays/{stay.pk}/"
    assert stay.room == room(camp, "A101")


def test_another_district_gets_404_for_the_stays_of_a_site(
    changan_office, camp, lodged, site_manager
):
    client = login_en(changan_office)
    assert client.get(f"/quarantine/stays/{lodged.pk}/").status_code == 404
    assert client.post(f"/quarantine/stays/{lodged.pk}/arrive/").status_code == 404
    assert client.post(f"/quarantine/stays/{lodged.pk}/release/").status_code == 404
    assert client.post(f"/quarantine/stays/{lodged.pk}/hospital/").status_code == 404
    html = client.get("/quarantine/stays/", {"status": "all"}).content.decode()
    assert "王*明" not in html
    assert client.get("/quarantine/stays/", {"site": camp.pk}).status_code == 200


def test_the_persons_own_district_sees_their_stay_but_does_not_run_the_site(
    site_manager, changan_office, camp, city
):
    resident = make_person(city.community, name="赵丽")
    stay = stays.assign_stay(site_manager, resident, reason="close_contact", site=camp)
    client = login_en(changan_office)
    assert client.get(f"/quarantine/stays/{stay.pk}/").status_code == 200
    assert "赵*" in client.get("/quarantine/stays/").content.decode()
    assert client.post(f"/quarantine/stays/{stay.pk}/arrive/").status_code == 403
    assert client.get(f"/quarantine/sites/{camp.pk}/board/").status_code == 404


def test_the_occupancy_page_shows_counties_sites_and_the_forecast(
    city_office, site_manager, camp, hotel, lodged
):
    html = login_en(city_office).get("/quarantine/occupancy/").content.decode()
    assert "黄庄集中隔离点" in html and "建北宾馆" in html
    assert 'id="forecast-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "藁城区" in html and "长安区" in html


def test_the_occupancy_page_warns_before_the_rooms_run_out(
    settings, city_office, site_manager, camp, city
):
    from epicommand.control.models import FactKind
    from epicommand.control.services import healthcode

    for _ in range(15):  # 15 contacts waiting for a camp of 12 rooms
        person = make_person(city.xgz)
        healthcode.record_fact(
            person,
            FactKind.CLOSE_CONTACT,
            started_at=timezone.now(),
            source="t",
            source_key=f"w:{person.pk}",
        )
    html = login_en(city_office).get("/quarantine/occupancy/").content.decode()
    assert "forecast-warning" in html
    site_html = (
        login_en(site_manager).get(f"/quarantine/occupancy/?site={camp.pk}").content.decode()
    )
    assert "forecast-warning" in site_html


def test_an_epidemiologist_reads_but_may_not_assign(gaocheng_epi, camp, lodged):
    client = login_en(gaocheng_epi)
    assert client.get(f"/quarantine/sites/{camp.pk}/board/").status_code == 200
    assert client.get("/quarantine/stays/new/").status_code == 403
    response = client.post(
        f"/quarantine/sites/{camp.pk}/board/rooms/{room(camp, 'A101').pk}/assign/",
        {"id_number": lodged.person.id_number, "reason": "close_contact"},
    )
    assert response.status_code == 403


def test_a_site_out_of_use_still_has_its_forecast_page(gaocheng_office, camp):
    sites.update_site(gaocheng_office, camp, is_active=False)
    response = login_en(gaocheng_office).get("/quarantine/occupancy/", {"site": camp.pk})
    assert response.status_code == 200
    assert "Capacity forecast: 黄庄集中隔离点" in response.content.decode()
