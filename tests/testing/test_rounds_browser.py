"""In a real browser: the command office opens the round's page, drills down to a
village, and sees the round's progress move when samples come in (on reload, as the
page's own one-minute refresh would show it)."""

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.conftest import PASSWORD

from .rounds_world import (  # noqa: F401  fixtures
    new_round,
    residents,
    sample,
    villages_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/", timeout=30_000)  # the first request warms up
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


# Selectors, not texts, so the test holds in either language.
def test_the_command_office_watches_the_round_move(city_office, villages, live_server):
    people = residents(villages.xgz, 30) + residents(villages.jianbei, 10)
    found = new_round(city_office, ["130100"])
    sample(found, people[:10])
    with chromium() as browser:
        page = logged_in(browser, live_server, "city_office")
        page.goto(f"{live_server.url}/testing/rounds/")
        page.locator(f"a[href='/testing/rounds/{found.pk}/']").click()
        total = page.locator("#round-total")
        expect(total.locator("[data-figure=target]")).to_have_text("40")
        expect(total.locator("[data-figure=sampled]")).to_have_text("10")
        expect(page.locator("#round-chart canvas")).to_have_count(1)

        sample(found, people[10:25])  # a table registers fifteen more
        page.reload()
        expect(total.locator("[data-figure=sampled]")).to_have_text("25")
        expect(total.locator("[data-figure=tubes_in_transit]")).to_have_text("3")

        page.locator("a[href='?region=130109']").first.click()
        page.locator("a[href='?region=130109104']").first.click()
        expect(total.locator("[data-figure=not_sampled]")).to_have_text("5")
