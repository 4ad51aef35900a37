"""A Gaocheng site may hold a Chang'an resident (docs/security.md "Persons of another
county"): the site's monitoring pages and the monitoring API show them as
people.lookup.as_seen_by does, masked, to the site's county; their own county reads them
in full."""

from decimal import Decimal

import pytest
from django.test import Client

from epicommand.core.masking import mask_name
from epicommand.quarantine.services import monitoring as monitoring_services
from tests.conftest import login

from .monitoring_world import monitoring_world


@pytest.fixture
def world(city, make_user, city_office):
    return monitoring_world(city, make_user, city_office)


@pytest.fixture
def unchecked(world, changan_person):
    return world.stay(changan_person, number="101")


@pytest.fixture
def stay(world, unchecked):
    """The stay, checked with a fever: an alert names the person."""
    monitoring_services.record_check(
        world.manager, unchecked, temperature=Decimal("38.6"), symptoms=["cough"]
    )
    return unchecked


def pages(world, stay) -> list[str]:
    site = world.site.pk
    return [
        f"/quarantine/sites/{site}/monitoring/?building=A&floor=1",
        f"/quarantine/monitoring/stays/{stay.pk}/check/",
        f"/quarantine/sites/{site}/tests/",
        "/quarantine/alerts/",
    ]


def apis(world) -> list[str]:
    site = world.site.pk
    return [
        f"/api/v1/quarantine/monitoring/sites/{site}/missing",
        f"/api/v1/quarantine/monitoring/sites/{site}/tests-due",
        "/api/v1/quarantine/monitoring/alerts",
    ]


def test_the_sites_county_sees_the_other_countys_person_masked_on_every_page(world, stay):
    client = login(world.manager)
    for url in pages(world, stay):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "李娜" not in html, url
        assert mask_name("李娜") in html, url


def test_the_monitoring_api_answers_the_other_countys_person_masked(world, unchecked):
    client = login(world.manager)
    missing = client.get(apis(world)[0]).json()["items"]
    assert [(i["person_name"], i["masked"]) for i in missing] == [(mask_name("李娜"), True)]
    monitoring_services.record_check(world.manager, unchecked, temperature=Decimal("38.6"))
    for url in apis(world)[1:]:
        answer = client.get(url)
        assert answer.status_code == 200, url
        items = answer.json()["items"]
        assert items, url
        assert {item["person_name"] for item in items} == {mask_name("李娜")}, url
        assert all(item["masked"] for item in items), url


def test_the_persons_own_county_and_the_city_read_them_in_full(world, stay, city_office):
    for user in (city_office,):
        client = login(user)
        html = client.get(pages(world, stay)[0]).content.decode()
        assert "李娜" in html
        items = client.get(apis(world)[2]).json()["items"]
        assert [(i["person_name"], i["masked"]) for i in items] == [("李娜", False)]


def test_an_own_county_person_on_the_same_floor_is_shown_in_full(world, stay, gaocheng_person):
    world.stay(gaocheng_person, number="102")
    client = Client()
    client.force_login(world.manager)
    html = client.get(pages(world, stay)[0]).content.decode()
    assert "张伟" in html and "李娜" not in html


def test_a_violation_of_a_person_who_moved_away_answers_them_masked(world, gaocheng_person, city):
    from epicommand.people.models import Person
    from epicommand.quarantine.services import violations

    violation = violations.record_violation(
        world.manager, gaocheng_person, kind="left", description="翻墙离开"
    )
    Person.objects.filter(pk=gaocheng_person.pk).update(region=city.community)  # moved
    client = login(world.manager)
    items = client.get("/api/v1/quarantine/violations").json()["items"]
    assert [(i["id"], i["person_name"], i["masked"]) for i in items] == [
        (violation.pk, mask_name("张伟"), True)
    ]
    one = client.get(f"/api/v1/quarantine/violations/{violation.pk}").json()
    assert (one["person_name"], one["masked"]) == (mask_name("张伟"), True)
