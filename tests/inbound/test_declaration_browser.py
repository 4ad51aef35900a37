"""A resident on their phone declares their arrival: opens /arrive/, identifies, fills in
how they came, from where, when and where they go; a mistake comes back on its field; the
arrival is then on the destination county's list."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.inbound.models import Arrival
from tests.browser import chromium

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def resident(gaocheng_person):
    cache.clear()
    return gaocheng_person


def test_a_resident_declares_arriving_by_train_on_a_phone(resident, city, live_server):
    arrived = timezone.localtime(timezone.now() - timedelta(hours=2))
    future = arrived + timedelta(days=3)
    with chromium() as browser:
        context = browser.new_context(
            locale="en-US", viewport={"width": 390, "height": 844}, device_scale_factor=2
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/arrive/")
        expect(page).to_have_url(f"{live_server.url}/code/identify/?next=%2Farrive%2F")
        page.fill("#id_document", resident.id_number)
        page.fill("#id_phone", resident.phone)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/arrive/")
        expect(page.locator("h1")).to_have_text("Declare your arrival")

        page.get_by_role("radio", name="Train").check()
        page.fill("#id_trip_number", "g6701")
        page.select_option("#id_risk", "medium")
        page.fill("#id_origin", "北京市朝阳区")
        page.fill("#id_arrived_at", future.strftime("%Y-%m-%dT%H:%M"))
        page.select_option("#id_region_code", city.zengcun.code)
        page.fill("#id_destination_address", "小果庄村 12 号")
        page.locator("#declaration button[type=submit]").click()
        expect(page.locator(".has-error")).to_contain_text("is in the future")

        page.fill("#id_arrived_at", arrived.strftime("%Y-%m-%dT%H:%M"))
        page.locator("#declaration button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Arrival declared")
        expect(page.locator("dl")).to_contain_text("Train G6701")
        # Phone-sized: nothing wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        assert errors == []

    arrival = Arrival.objects.get()
    assert (arrival.source, arrival.person_id, arrival.region_id, arrival.risk) == (
        "declaration",
        resident.pk,
        city.zengcun.code,
        "medium",
    )
