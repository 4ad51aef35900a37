"""/policy/editions/: the offices see the edition in force and the switches scheduled; the
city office schedules a switch with the form; a county office reads the page without the
form and is refused a switch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.models import AuditEvent, EditionChoice, Role
from epicommand.core.services import choose_edition
from tests.conftest import login

URL = "/policy/editions/"


@pytest.fixture
def county_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_city_office_schedules_a_switch_with_the_form(settings, city_office):
    settings.PROTOCOL_EDITION = "8"
    client = login(city_office)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Protocol, 8th edition (2021)" in page and 'name="in_force_from"' in page
    at = timezone.now() + timedelta(days=3)
    body = {"edition": "9", "in_force_from": local_input(at), "reason": "9th edition published"}
    response = client.post(URL, body, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Protocol, 9th edition (2022) will be in force from" in page
    assert "scheduled" in page and "9th edition published" in page
    assert EditionChoice.objects.get().edition == "9"
    assert AuditEvent.objects.filter(action="policy.edition", actor=city_office).exists()


def test_a_refused_switch_names_the_field_on_the_form(settings, city_office):
    settings.PROTOCOL_EDITION = "8"
    at = timezone.now() - timedelta(days=1)
    body = {"edition": "9", "in_force_from": local_input(at), "reason": "backdated"}
    response = login(city_office).post(URL, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "cannot be changed retroactively" in response.content.decode()
    assert not EditionChoice.objects.exists()


def test_a_county_office_reads_the_page_without_the_form(settings, city_office, county_office):
    settings.PROTOCOL_EDITION = "8"
    choose_edition(city_office, "9", timezone.now() + timedelta(days=3), "<b>9th</b> edition")
    client = login(county_office)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "&lt;b&gt;9th&lt;/b&gt; edition" in page  # escaped, as every text from data
    assert 'name="in_force_from"' not in page
    at = local_input(timezone.now() + timedelta(days=4))
    body = {"edition": "8", "in_force_from": at, "reason": "ours"}
    assert client.post(URL, body).status_code == 403
    assert EditionChoice.objects.count() == 1


def test_a_role_that_does_not_read_policy_is_refused(make_user, city):
    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    assert login(lab).get(URL).status_code == 403


def test_the_city_office_finds_the_page_in_the_navigation(city_office):
    page = login(city_office).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{URL}"' in page
