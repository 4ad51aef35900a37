"""The inbound pages: the port desk registers and moves travellers, the site acknowledges
from its list, the board shows a county only its travellers, the flights page lets the
city office confirm the breaker. Roles without the capability get 403."""

import pytest
from django.utils import timezone

from epicommand.inbound.models import Arrival, Suspension
from epicommand.inbound.services import flights

from .world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    flight_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    login_en,
    make_person,
    passenger,
    port_staff_fixture,
    port_unit_fixture,
    site_manager_fixture,
    transfer_unit_fixture,
)

pytestmark = pytest.mark.django_db


def test_the_port_desk_registers_tests_and_hands_over(
    port_staff, site_manager, flight, city, camp, transfer_unit
):
    person = make_person(city.xgz, name="周杰")
    client = login_en(port_staff)
    response = client.post(
        "/inbound/desk/",
        {
            "flight": flight.pk,
            "mode": "flight",
            "seat": "7A",
            "document": person.id_number,
            "name": "周杰",
            "nationality": "CHN",
            "origin": "Moscow",
            "risk": "overseas",
            "destination_address": "小果庄村 1 号",
            "region_code": city.xgz.code,
        },
    )
    assert response.status_code == 302
    arrival = Arrival.objects.get()
    assert "周*" in client.get("/inbound/desk/").content.decode()
    client.post(f"/inbound/arrivals/{arrival.pk}/port-test/")
    client.post(
        f"/inbound/arrivals/{arrival.pk}/transfer/",
        {
            "transfer_unit": transfer_unit.pk,
            "site": camp.pk,
            "vehicle": "冀A·D1234",
        },
    )
    arrival.refresh_from_db()
    assert arrival.stage == "in_transfer"
    site = login_en(site_manager)
    page = site.get("/inbound/handovers/").content.decode()
    assert "周*" in page
    handover = arrival.handovers.get(step="site")
    site.post(f"/inbound/handovers/{handover.pk}/acknowledge/")
    arrival.refresh_from_db()
    assert arrival.stage == "at_site" and arrival.stay.site == camp


def test_a_bad_desk_entry_is_shown_on_its_field(port_staff, flight, city):
    response = login_en(port_staff).post(
        "/inbound/desk/",
        {
            "flight": flight.pk,
            "mode": "flight",
            "seat": "7A",
            "document": "E1",
            "name": "x",
            "origin": "Moscow",
            "risk": "overseas",
            "destination_address": "a",
            "region_code": "999999",
        },
    )
    assert response.status_code == 200 and "not a region code" in response.content.decode()
    assert not Arrival.objects.exists()


def test_the_board_shows_a_county_only_its_travellers(
    port_staff, flight, city, gaocheng_office, changan_office
):
    passenger(port_staff, flight, city.xgz, seat="1A", document="E1", name="王芳")
    passenger(port_staff, flight, city.community, seat="1B", document="E2", name="李强")
    gaocheng = login_en(gaocheng_office).get("/inbound/loop/").content.decode()
    assert "王*" in gaocheng and "李*" not in gaocheng
    changan = login_en(changan_office).get("/inbound/loop/?late=1&alarms=1").content.decode()
    assert "王*" not in changan


def test_the_port_desk_is_refused_to_other_roles(site_manager):
    assert login_en(site_manager).get("/inbound/desk/").status_code == 403


def test_the_city_office_confirms_a_proposed_suspension(port_staff, flight, city, city_office):
    for i in range(5):
        a = passenger(port_staff, flight, city.xgz, seat=f"{i + 1}A", document=f"E{i}")
        a.positive_at = timezone.now()
        a.save(update_fields=["positive_at"])
    proposal = flights.review_breaker(flight)
    client = login_en(city_office)
    page = client.get("/inbound/flights/").content.decode()
    assert "CA868" in page and "Confirm the suspension" in page
    client.post(f"/inbound/suspensions/{proposal.pk}/confirm/")
    proposal.refresh_from_db()
    assert proposal.status == Suspension.Status.CONFIRMED
    assert client.post(f"/inbound/suspensions/{proposal.pk}/nonsense/").status_code == 404
