"""The pages: the site desk records a dose and refuses a deferred one with the reason; the
coverage dashboard drills down; the overdue list filters; the employer uploads its roster
and books; the resident sees their own doses and books; another county's site is 404."""

import io

import pytest
from django.test import Client

from epicommand.vaccination.models import Booking, Dose, RosterEntry, Slot
from epicommand.vaccination.services import doses
from tests.conftest import login

from .conftest import NO, at_day, make_person, slot_at

pytestmark = pytest.mark.django_db


def desk_post(person, **extra):
    data = {"d-document": person.id_number, "d-product": "bbibp", "d-lot": "L1"}
    data.update(extra)
    return data


def test_the_desk_records_a_dose(world, city):
    person = make_person(city.xgz, 1)
    client = login(world.vaccinator)
    url = f"/vaccination/sites/{world.site.pk}/desk/"
    assert client.get(url).status_code == 200
    response = client.post(url, desk_post(person))
    assert response.status_code == 302
    assert Dose.objects.get().dose_number == 1
    page = client.get(url).content.decode()
    assert "L1" in page and person.name not in page  # masked in the day's list


def test_the_desk_shows_why_a_dose_is_deferred(world, city):
    person = make_person(city.xgz, 2)
    response = login(world.vaccinator).post(
        f"/vaccination/sites/{world.site.pk}/desk/", desk_post(person, **{"d-ci_fever": "on"})
    )
    assert response.status_code == 422
    assert not Dose.objects.exists()


def test_the_desk_opens_slots_and_records_stock(world):
    client = login(world.vaccinator)
    url = f"/vaccination/sites/{world.site.pk}/desk/"
    client.post(url, {"open_day": "1"})
    assert Slot.objects.filter(site=world.site).count() > 0
    assert sum(Slot.objects.filter(site=world.site).values_list("capacity", flat=True)) == 300
    client.post(url, {"s-product": "bbibp", "s-lot": "L2", "s-doses": "50"})
    response = client.post(
        url, {"s-product": "bbibp", "s-lot": "L2", "s-doses": "60", "s-wasted": "on"}
    )
    assert response.status_code == 422  # more than on hand: never negative


def test_another_countys_site_is_404(world):
    assert (
        login(world.changan_vaccinator).get(f"/vaccination/sites/{world.site.pk}/desk/").status_code
        == 404
    )


def test_coverage_and_overdue_pages(world, city, city_office):
    person = make_person(city.xgz, 3)
    RosterEntry.objects.create(
        unit=world.police, person=person, group="medical", region=city.gaocheng
    )
    doses.record_dose(
        world.vaccinator,
        world.site,
        document=person.id_number,
        product="bbibp",
        lot="L1",
        screening=NO,
        given_at=at_day(70),
    )
    client = login(city_office)
    assert "藁城区" in client.get("/vaccination/").content.decode()
    county = client.get("/vaccination/?region=130109").content.decode()
    assert "藁城区公安局" in county
    assert client.get(f"/vaccination/?unit={world.police.pk}").status_code == 200
    overdue = client.get(f"/vaccination/overdue/?unit={world.police.pk}&group=medical")
    assert (
        "藁城区公安局" in overdue.content.decode()
        and person.id_number not in overdue.content.decode()
    )
    assert "overdue" in login(world.changan_office).get("/vaccination/overdue/").content.decode()
    assert (
        person.id_number[:6] + "********"
        not in login(world.changan_office).get("/vaccination/overdue/").content.decode()
    )


def test_the_employer_uploads_and_books(world, city):
    person = make_person(city.xgz, 4)
    slot = slot_at(world.site)
    client = login(world.officer)
    data = io.BytesIO(f"id_number,group\n{person.id_number},police_fire_community\n".encode())
    data.name = "staff.csv"
    assert client.post("/vaccination/roster/", {"r-file": data}).status_code == 200
    response = client.post(
        "/vaccination/roster/", {"b-id_number": person.id_number, "b-slot": slot.pk}
    )
    assert response.status_code == 302
    assert Booking.objects.get().person == person


def test_the_resident_sees_their_doses_and_books(world, city, fresh_throttle):
    person = make_person(city.xgz, 5, phone="13900000005")
    doses.record_dose(
        world.vaccinator,
        world.site,
        document=person.id_number,
        product="bbibp",
        lot="L1",
        screening=NO,
        given_at=at_day(25),
    )
    client = Client()
    assert client.get("/vaccine/").status_code == 302  # identify first
    client.post("/code/identify/", {"document": person.id_number, "phone": person.phone})
    page = client.get("/vaccine/")
    assert page.status_code == 200 and "bbibp" in page.content.decode().lower()
    slot = slot_at(world.site)
    assert client.post("/vaccine/", {"slot": slot.pk}).status_code == 302
    assert Booking.objects.get().person == person
