"""The dashboard in a real browser: the vendored ECharts draws the three charts without a
script error, and a figure opens the list behind it."""

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.conftest import PASSWORD

from .figures_city import generate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


# The data comes before live_server, and Playwright only runs inside the test, so that the
# database is set up first and let go of last (PostgreSQL drops it at the end).
def test_the_city_office_sees_the_charts_drawn_and_opens_a_figures_list(command_city, live_server):
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "office")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()

        page.get_by_role("navigation").get_by_role("link", name="指挥看板").click()
        expect(page.locator("h1")).to_have_text("指挥看板：石家庄市")
        for chart in ("#chart-tasks", "#chart-persons", "#chart-days"):
            expect(page.locator(f"{chart} canvas")).to_have_count(1)
        assert errors == []

        page.locator('a[data-figure="persons"]').click()
        expect(page).to_have_url(f"{live_server.url}/persons/?region=130100")
        expect(page.locator("h1")).to_have_text("人员")
