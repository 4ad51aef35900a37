"""In a real browser: the city office drafts the day's bulletin, checks its sums and signs;
a leader signs; the office publishes; a resident's phone opens the public page and sees it."""

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(browser, url, user):
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


def test_the_office_drafts_signs_and_publishes_and_the_public_sees_it(
    outbreak, city_office, leader, live_server
):
    day = outbreak.days[1].isoformat()
    with chromium() as browser:
        office = log_in(browser, live_server.url, city_office)
        office.goto(f"{live_server.url}/information/")
        office.fill("#id_day", day)
        office.locator("#draft-form button[type=submit]").click()
        expect(office.locator("#checks-ok")).to_be_visible()
        office.locator("#sign-check").click()
        expect(office.locator("#stages")).to_contain_text(city_office.username)

        boss = log_in(browser, live_server.url, leader)
        boss.goto(f"{live_server.url}/information/sign-off/")
        boss.locator("#queue a").first.click()
        boss.locator("#sign-approve").click()
        expect(boss.locator("#stages")).to_contain_text(leader.username)

        office.reload()
        office.locator("#publish").click()
        expect(office.locator("#status .badge.good")).to_be_visible()

        phone = browser.new_context(
            locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
        ).new_page()
        phone.goto(f"{live_server.url}/info/")
        phone.locator("#latest a").click()
        expect(phone.locator("#bulletin")).to_have_attribute("data-day", day)
        expect(phone.locator("tr.city td").first).to_have_text("2")
