"""In a real browser, on a phone-sized screen: the vaccinator records a dose at the site
desk (a deferred one first, with the reason shown), and the resident sees it on their own
page beside the health code."""

import pytest
from playwright.sync_api import expect

from epicommand.vaccination.models import Dose
from tests.browser import chromium
from tests.conftest import PASSWORD

from .conftest import make_person

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def test_the_desk_records_a_dose_and_the_resident_sees_it(world, city, live_server):
    person = make_person(city.xgz, 1, phone="13900000001")
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        context.set_default_timeout(30_000)  # a shared, busy machine
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", world.vaccinator.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()
        page.goto(f"{live_server.url}/vaccination/sites/")
        page.locator("#sites a", has_text=world.site.name).click()
        page.fill("#id_d-document", person.id_number)
        page.select_option("#id_d-product", "bbibp")
        page.fill("#id_d-lot", "L1")
        page.check("#id_d-ci_fever")
        page.locator("#dose-form button[type=submit]").click()
        expect(page.locator("#dose-form")).to_contain_text("暂缓接种")
        page.uncheck("#id_d-ci_fever")
        page.locator("#dose-form button[type=submit]").click()
        expect(page.locator("#doses-today")).to_contain_text("L1")
        expect(page.locator("#stock")).to_contain_text("99")

        resident_context = browser.new_context(locale="zh-CN", viewport=PHONE)
        resident_context.set_default_timeout(30_000)
        resident = resident_context.new_page()
        resident.goto(f"{live_server.url}/code/")
        resident.fill("#id_document", person.id_number)
        resident.fill("#id_phone", person.phone)
        resident.locator("main form button[type=submit]").first.click()
        resident.locator("#my-vaccination").click()  # beside the health code
        expect(resident.locator("#my-doses")).to_contain_text("L1")
        expect(resident.locator("#next-dose")).to_be_visible()
    assert Dose.objects.get().person == person
