"""In a real browser: a sampling site asks its district's warehouse for swabs, the county
office approves and allocates them, and the warehouse page shows the stock that is left;
the public price page opens without login and the board draws its trend."""

import pytest
from playwright.sync_api import expect

from epicommand.supplies.models import Lot, MaterialRequest
from epicommand.supplies.services import prices
from tests.browser import chromium
from tests.conftest import PASSWORD

from .world import line, stock

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, user):
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


def test_a_site_asks_the_warehouse_allocates_and_the_stock_falls(depot, city, live_server):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 60)])
    with chromium() as browser:
        site = logged_in(browser, live_server, depot.sampler)
        site.goto(f"{live_server.url}/materials/requests/")
        site.locator("#new-request").click()
        site.select_option("#id_place_kind", "sampling_site")
        site.fill("#id_place_name", "小果庄村采样点")
        site.select_option("#id_item_1", "swab")
        site.fill("#id_quantity_1", "30")
        site.locator("#request-form button[type=submit]").click()
        expect(site.locator("#status")).to_contain_text("已提交")

        office = logged_in(browser, live_server, depot.gaocheng_office)
        office.goto(f"{live_server.url}/materials/requests/")
        office.locator("#requests a").first.click()
        office.locator("#approve").click()
        office.locator("#allocate").click()
        expect(office.locator("#lines")).to_contain_text("S-1")
        office.goto(f"{live_server.url}/materials/{depot.gaocheng.pk}/")
        expect(office.locator('#stock tr[data-item="swab"] .on-hand')).to_have_text("70")

        site.reload()
        site.locator("#confirm").click()
        expect(site.locator("#status")).to_contain_text("已送达")
    assert MaterialRequest.objects.get().status == "delivered"
    assert Lot.objects.get().on_hand == 70


def test_the_public_price_page_and_the_board_chart(markets, city, live_server):
    prices.report_day(markets.gaocheng_user, lines=[line(retail="31.50")])
    with chromium() as browser:
        public = browser.new_context(locale="zh-CN").new_page()
        public.goto(f"{live_server.url}/prices/")
        expect(public.locator("main")).to_contain_text("31.50")
        board = logged_in(browser, live_server, markets.regulator)
        board.goto(f"{live_server.url}/supplies/?commodity=pork")
        expect(board.locator("#price-trend canvas")).to_have_count(1)
