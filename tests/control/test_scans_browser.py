"""In a real browser on a phone-sized screen: a resident opens a venue's poster URL,
identifies, checks in, and shows the door attendant a screen with their colour, their
masked name, the venue and a clock that keeps running."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.control.models import Colour, FactKind, Scan, ScanMethod
from epicommand.control.services import healthcode
from epicommand.places.codes import place_code
from tests.browser import chromium

from .scan_world import market_fixture  # noqa: F401  fixture

pytestmark = pytest.mark.django_db(transaction=True)


# The database fixtures come before live_server so that the test database is set up first
# and torn down last, after the server thread has let go of its connection.
def test_a_resident_checks_in_and_the_door_screen_shows_the_colour(
    market, gaocheng_person, live_server
):
    healthcode.record_fact(
        gaocheng_person,
        FactKind.FEVER,
        started_at=timezone.now(),
        source="test",
        source_key="fever:browser",
    )
    poster = f"{live_server.url}/p/{place_code(market)}/"
    with chromium() as browser:
        phone = browser.new_context(
            locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
        )
        phone.set_default_timeout(10_000)
        page = phone.new_page()
        page.goto(poster)
        expect(page.locator("h1")).to_have_text(market.name)
        page.locator("#identify-to-check-in").click()
        page.fill("#id_document", gaocheng_person.id_number)
        page.fill("#id_phone", gaocheng_person.phone)
        page.locator("form.stack button[type=submit]").click()

        page.wait_for_url(poster)
        page.locator("#check-in").click()

        door = page.locator(".door")
        expect(door).to_have_class(re.compile(r"\byellow\b"))
        expect(page.locator(".door-name")).to_have_text("张*")
        expect(page.locator(".door-venue")).to_have_text(market.name)
        band = page.locator(".door-band").bounding_box()
        screen = page.evaluate("document.documentElement.clientWidth")
        assert band["width"] == screen  # edge to edge
        shown_time = page.locator(".door-time").text_content()
        clock = page.locator("#door-clock")
        first = clock.text_content()
        expect(clock).not_to_have_text(first, timeout=3_000)  # it runs
        assert page.content().count(gaocheng_person.name) == 0

    scan = Scan.objects.get()
    assert (scan.person_id, scan.method, scan.colour) == (
        gaocheng_person.pk,
        ScanMethod.SELF,
        Colour.YELLOW,
    )
    assert shown_time == timezone.localtime(scan.scanned_at).strftime("%H:%M:%S")
