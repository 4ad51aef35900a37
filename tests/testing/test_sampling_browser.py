"""In a real browser on a phone-sized screen: a table worker chooses the site and the
round, registers ten residents into one tube by scanning their ID numbers, watches it
fill, and sees it closed at ten."""

import pytest
from playwright.sync_api import expect

from epicommand.core.models import Role
from epicommand.testing.models import Sample, Tube
from tests.browser import chromium
from tests.conftest import PASSWORD

from .sampling_world import new_tube, residents, round_for, site_at

pytestmark = pytest.mark.django_db(transaction=True)


# The database fixtures come before live_server so that the test database is set up first
# and torn down last, after the server thread has let go of its connection.
def test_a_table_worker_registers_ten_residents_into_one_tube_and_sees_it_closed(
    city, make_user, live_server
):
    worker = make_user("table_worker", Role.SAMPLING_STAFF, city.gaocheng, city.gaocheng_cdc)
    site = site_at(city.zengcun, "增村镇中心小学采样点")
    round_obj = round_for(city)
    villagers = residents(city.xgz, 10)
    tube = new_tube()
    with chromium() as browser:
        context = browser.new_context(
            locale="en-US", viewport={"width": 360, "height": 740}, is_mobile=True
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", worker.username)
        page.fill("#id_password", PASSWORD)
        page.locator("button[type=submit]").last.click()
        expect(page.locator(".who")).to_be_visible()

        page.goto(f"{live_server.url}/testing/table/")
        page.select_option("#id_site", str(site.pk))
        page.select_option("#id_round", str(round_obj.pk))
        page.locator("button.table-start").click()
        expect(page.locator(".table-where")).to_contain_text(site.name)

        page.fill("#id_tube", tube)
        for n, person in enumerate(villagers, start=1):
            page.fill("#id_resident", person.id_number)
            page.locator("button.table-button").click()
            expect(page.locator(".tube-state")).to_have_attribute("data-members", str(n))
            if n < 10:
                # The open tube stays in its box: the next resident is one scan.
                expect(page.locator("#id_tube")).to_have_value(tube)
        expect(page.locator(".tube-count")).to_have_text("10 / 10")
        expect(page.locator(".tube-closed-note")).to_contain_text(f"Tube {tube} is full and closed")
        expect(page.locator("#id_tube")).to_have_value("")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    stored = Tube.objects.get(barcode=tube)
    assert (stored.members, stored.status) == (10, Tube.Status.CLOSED)
    assert Sample.objects.filter(tube=stored, round=round_obj).count() == 10
