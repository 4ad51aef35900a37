"""The resident's own page /quarantine/me/: identified through control's identify page, a
resident sees their own stay or their household's time at home with the days remaining
and the tests to come, requests supplies for their household and confirms a delivery;
nothing about anyone else."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from epicommand.core.models import AuditEvent, Role
from epicommand.quarantine.models import SupplyRequest
from epicommand.quarantine.services import households as services
from epicommand.quarantine.services import stays, supplies

from .household_world import *  # noqa: F403  (fixtures)
from .stays_world import (  # noqa: F401  (fixtures: Q1's camp and its office)
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    site_manager_fixture,
)

ME = "/quarantine/me/"
S = SupplyRequest.Status


pytestmark = pytest.mark.usefixtures("fresh_throttle")


def identified(person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/code/identify/", {"document": person.id_number, "phone": person.phone, "next": ME}
    )
    assert (response.status_code, response["Location"]) == (302, ME)
    return client


def month_day(day) -> str:
    return date_format(day, "MONTH_DAY_FORMAT")


def test_an_unidentified_visitor_is_sent_to_identify_first(city):
    response = Client().get(ME)
    assert (response.status_code, response["Location"]) == (
        302,
        "/code/identify/?next=%2Fquarantine%2Fme%2F",
    )
    assert Client().post("/quarantine/me/supplies/new/", {"kind": "medicine"}).status_code == 302


def test_a_resident_under_home_monitoring_sees_the_days_remaining_and_the_tests(
    city, gaocheng_person, make_user, settings
):
    settings.PROTOCOL_EDITION = "9"  # secondary contacts: 7 days at home, tests days 1, 4, 7
    office = make_user("gaocheng_county", Role.COUNTY_OFFICE, city.gaocheng)
    start = timezone.now() - timedelta(days=3)
    stays.assign_stay(
        office, gaocheng_person, reason="secondary_contact", site=None, started_at=start
    )
    today = timezone.localdate()
    html = identified(gaocheng_person).get(ME).content.decode()
    assert "Home health monitoring:" in html and "4 days remaining" in html
    assert f"Until {month_day(today + timedelta(days=4))}." in html
    # Day 4 is today and day 7 three days on; day 1 is past.
    assert (
        f"Tests on <strong>{month_day(today)}</strong>, "
        f"<strong>{month_day(today + timedelta(days=3))}</strong>"
    ) in html
    assert "张*" in html and "张伟" not in html


def test_a_resident_in_a_site_sees_the_days_left_there_and_the_home_monitoring_after(
    camp, gaocheng_office, gaocheng_person, settings
):
    settings.PROTOCOL_EDITION = "8"  # close contacts: 14 days in the site, then 7 at home
    start = timezone.now() - timedelta(days=3)
    stays.assign_stay(
        gaocheng_office,
        gaocheng_person,
        reason="close_contact",
        site=camp,
        started_at=start,
        arrived_at=start + timedelta(hours=2),
    )
    today = timezone.localdate()
    html = identified(gaocheng_person).get(ME).content.decode()
    assert "In centralized quarantine:" in html and "11 days remaining" in html
    assert f"Then home health monitoring until {month_day(today + timedelta(days=18))}." in html
    # Site tests on days 4, 7 and 14 (the release sample the same day) are still to come.
    days = [today, today + timedelta(days=3), today + timedelta(days=10)]
    assert "Tests on " + ", ".join(f"<strong>{month_day(d)}</strong>" for d in days) in html
    assert "黄庄集中隔离点" in html
    assert 'id="my-household"' not in html


def test_a_resident_of_a_household_at_home_requests_medicine_and_confirms_it(
    home_quarantine, gaocheng_person, gaocheng_worker, gaocheng_team
):
    client = identified(gaocheng_person)
    html = client.get(ME).content.decode()
    assert "Your household is kept at home" in html and "4 days remaining" in html
    assert "增村镇志愿服务队" in html and "13700007777" in html
    response = client.post("/quarantine/me/supplies/new/", {"kind": "medicine", "items": "降压药"})
    assert (response.status_code, response["Location"]) == (302, ME)
    supply = SupplyRequest.objects.get()
    assert (supply.control, supply.kind, supply.items) == (home_quarantine, "medicine", "降压药")
    event = AuditEvent.objects.get(action="supply.request")
    assert event.actor_name == "system" and f"person {gaocheng_person.pk}" in event.reason

    # Not yet assigned: the resident cannot confirm it.
    refused = client.post(f"/quarantine/me/supplies/{supply.pk}/confirm/")
    assert refused.status_code == 400
    assert "never assigned" in refused.content.decode()
    supplies.assign_request(gaocheng_worker, supply, team=gaocheng_team, volunteer="刘洋")
    supplies.mark_delivered(gaocheng_worker, supply)
    assert client.post(f"/quarantine/me/supplies/{supply.pk}/confirm/").status_code == 302
    supply.refresh_from_db()
    assert supply.status == S.CONFIRMED
    twice = client.post(f"/quarantine/me/supplies/{supply.pk}/confirm/")
    assert twice.status_code == 400 and "already confirmed" in twice.content.decode()


def test_a_resident_whose_household_is_not_at_home_cannot_request(gaocheng_person):
    client = identified(gaocheng_person)
    html = client.get(ME).content.decode()
    assert "You are not under quarantine or kept at home." in html
    assert 'id="request-form"' not in html
    response = client.post("/quarantine/me/supplies/new/", {"kind": "medicine", "items": "药"})
    assert response.status_code == 400
    assert "the household is not kept at home" in response.content.decode()
    assert not SupplyRequest.objects.exists()


def test_the_page_shows_nothing_about_anyone_else(
    home_quarantine, family, gaocheng_person, changan_family, changan_person, changan_worker
):
    from epicommand.people.models import Person

    services.put_under_home_quarantine(
        changan_worker, changan_family, reason="密接", ends_on=home_quarantine.ends_on
    )
    supplies.request_supplies(changan_worker, changan_family, kind="medicine", items="别人的药")
    mine = supplies.request_supplies(
        home_quarantine.community_worker, family, kind="necessities", items="我们的米"
    )
    html = identified(gaocheng_person).get(ME).content.decode()
    assert "我们的米" in html and "别人的药" not in html
    # Not even the resident's own family members.
    for member in Person.objects.filter(household=family).exclude(pk=gaocheng_person.pk):
        assert member.name not in html and member.name[0] + "*" not in html
    assert changan_person.name not in html and changan_family.address not in html
    # Another household's request cannot be confirmed from this page.
    other = SupplyRequest.objects.exclude(pk=mine.pk).get()
    client = identified(gaocheng_person)
    assert client.post(f"/quarantine/me/supplies/{other.pk}/confirm/").status_code == 404


def test_the_page_is_not_cached(home_quarantine, gaocheng_person):
    response = identified(gaocheng_person).get(ME)
    assert response["Cache-Control"] == "no-store, private"
