"""In a real browser, on a phone-sized screen: the site manager puts a close contact in a
room on the room board and confirms the arrival, enters the floor's round with a fever on
it, and sees the alert: on the row, in the notifications of the site's unit, and on the
alerts page, which links the stay."""

import re

import pytest
from playwright.sync_api import expect

from epicommand.control.models import FactKind, HealthFact
from epicommand.quarantine.models import Alert, HealthCheck, Stay
from tests.browser import chromium
from tests.conftest import PASSWORD

from .monitoring_world import monitoring_world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(city, make_user, city_office):
    return monitoring_world(city, make_user, city_office)


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


# The database fixtures come before live_server so that the test database is set up first
# and torn down last, after the server thread has let go of its connection. The test reads
# the database only outside the browser block (see tests/browser.py). Selectors, not
# button texts, so the test holds in either language.
def test_a_site_manager_assigns_a_room_records_a_fever_and_sees_the_alert(
    world, gaocheng_person, live_server
):
    room = world.room("102")
    name = gaocheng_person.name
    base = f"{live_server.url}/quarantine/sites/{world.site.pk}"
    with chromium() as browser:
        page = logged_in(browser, live_server, "site_manager")

        # The room board: a free room, assigned by ID number; then the arrival.
        page.goto(f"{base}/board/")
        page.locator(f"#room-{room.pk}").click()
        panel = page.locator("#room-panel")
        panel.locator("input[name=id_number]").fill(gaocheng_person.id_number)
        panel.locator("select[name=reason]").select_option("close_contact")
        panel.locator("form.assign-form button[type=submit]").click()
        expect(page.locator(f"#room-{room.pk}")).to_have_class("room occupied transfer")
        panel.locator(".occupants a").first.click()
        page.locator("form[action$='/arrive/'] button[type=submit]").click()
        expect(page.locator(".messages .success")).to_be_visible()

        # The afternoon (or morning) round of floor 1, with a fever on it.
        page.goto(f"{base}/monitoring/?building=A&floor=1")
        row = page.locator("table.sheet tbody tr", has_text=name)
        row.locator("input[type=number]").fill("38.6")
        row.locator("input[type=checkbox][value=cough]").check()
        page.locator("#record-floor").click()

        expect(page.locator(".messages .warning")).to_contain_text(name)
        expect(page.locator("table.sheet tr.alerting", has_text=name)).to_contain_text("38.6")
        expect(page.locator("a.notifications .badge")).to_have_text("1")

        page.goto(f"{live_server.url}/quarantine/alerts/")
        first = page.locator("#results tbody tr").first
        expect(first).to_contain_text(name)
        expect(first).to_contain_text("38.6 °C")
        first.locator("a").first.click()
        expect(page).to_have_url(re.compile(r"/quarantine/stays/\d+/$"))

    stay = Stay.objects.get(person=gaocheng_person)
    assert (stay.room_id, stay.status) == (room.pk, Stay.Status.IN_SITE)
    check = HealthCheck.objects.get()
    assert (check.stay_id, str(check.temperature), check.recorded_by) == (
        stay.pk,
        "38.6",
        world.manager,
    )
    assert Alert.objects.get().kind == Alert.Kind.FEVER
    assert HealthFact.objects.filter(person=gaocheng_person, kind=FactKind.FEVER).exists()
