"""A quarantine site receives people from across the city: a Gaocheng site admits a
Chang'an resident by ID number, the look-up is audited, and the answer is masked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.models import AuditEvent, Role
from epicommand.quarantine.models import Stay
from epicommand.quarantine.services import stays as services

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    hotel_fixture,
    login_en,
    make_person,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db
OUTSIDE = "person.find_outside_jurisdiction"


def admitted_from_elsewhere(person, manager) -> AuditEvent:
    return AuditEvent.objects.get(action=OUTSIDE, object_id=str(person.pk), actor=manager)


def test_a_site_admits_a_resident_of_another_county_by_api_audited_and_masked(
    site_manager, camp, city
):
    resident = make_person(city.community, name="赵丽")
    pickup_at = timezone.localtime() - timedelta(hours=1)
    response = login_en(site_manager).post(
        "/api/v1/quarantine/stays",
        {
            "id_number": resident.id_number,
            "reason": "close_contact",
            "site_id": camp.pk,
            "pickup_at": pickup_at.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_id"], body["masked_name"]) == (resident.pk, "赵*")
    assert "赵丽" not in response.content.decode()
    assert resident.id_number not in response.content.decode()
    event = admitted_from_elsewhere(resident, site_manager)
    assert (event.region_id, event.reason) == (resident.region_id, "quarantine admission")


def test_a_site_admits_a_resident_of_another_county_from_the_stays_page(site_manager, camp, city):
    resident = make_person(city.community, name="钱进")
    response = login_en(site_manager).post(
        "/quarantine/stays/new/",
        {"id_number": resident.id_number, "reason": "high_risk_area", "site": camp.pk},
        follow=True,
    )
    assert Stay.objects.filter(person=resident, site=camp).exists()
    assert "钱*" in response.content.decode()  # the message names the person masked
    assert admitted_from_elsewhere(resident, site_manager).reason == "quarantine admission"


def test_a_resident_of_the_sites_own_county_is_not_an_outside_look_up(site_manager, camp, city):
    resident = make_person(city.xgz)
    login_en(site_manager).post(
        "/quarantine/stays/new/",
        {"id_number": resident.id_number, "reason": "high_risk_area", "site": camp.pk},
    )
    assert Stay.objects.filter(person=resident).exists()
    assert not AuditEvent.objects.filter(action=OUTSIDE).exists()


def admit(manager, resident, camp):
    response = login_en(manager).post(
        "/api/v1/quarantine/stays",
        {"id_number": resident.id_number, "reason": "close_contact", "site_id": camp.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_stay_of_a_resident_of_another_county_reads_masked_at_the_site(site_manager, camp, city):
    resident = make_person(city.community, name="孙小红")
    stay_id = admit(site_manager, resident, camp)
    client = login_en(site_manager)
    response = client.get(f"/api/v1/quarantine/stays/{stay_id}")
    assert response.status_code == 200, response.content
    person = response.json()["person"]
    assert (person["name"], person["masked"]) == ("孙*红", True)
    assert person["id_number"] == resident.id_number[:6] + "********" + resident.id_number[-4:]
    assert person["phone"] == resident.phone[:3] + "****" + resident.phone[-4:]
    page = client.get(f"/quarantine/stays/{stay_id}/").content.decode()
    for text in (response.content.decode(), page):
        for secret in ("孙小红", resident.id_number, resident.phone):
            assert secret not in text
    views = AuditEvent.objects.filter(action="quarantine_stay.view", object_id=str(stay_id))
    assert views.count() == 2


def test_a_stay_of_the_sites_own_county_reads_in_full(site_manager, camp, city):
    resident = make_person(city.xgz, name="周强")
    stay_id = admit(site_manager, resident, camp)
    person = login_en(site_manager).get(f"/api/v1/quarantine/stays/{stay_id}").json()["person"]
    assert (person["name"], person["id_number"], person["masked"]) == (
        "周强",
        resident.id_number,
        False,
    )


def test_another_countys_stay_in_the_way_is_not_named(site_manager, camp, hotel, city, make_user):
    resident = make_person(city.community, name="吴芳")
    changan_staff = make_user("changan_quarantine", Role.QUARANTINE_STAFF, city.changan)
    services.assign_stay(changan_staff, resident, reason="close_contact", site=hotel)
    client = login_en(site_manager)
    one = client.post(
        "/api/v1/quarantine/stays",
        {"id_number": resident.id_number, "reason": "close_contact", "site_id": camp.pk},
        content_type="application/json",
    )
    batch = client.post(
        "/api/v1/quarantine/stays/batch",
        {
            "site_id": camp.pk,
            "items": [
                {"client_id": "w-1", "id_number": resident.id_number, "reason": "close_contact"}
            ],
        },
        content_type="application/json",
    )
    for answer in (one, batch):
        assert answer.status_code == 422, answer.content
        text = answer.content.decode()
        assert "kept by another county" in text
        assert hotel.name not in text
