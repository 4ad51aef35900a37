"""The city office schedules a switch of protocol edition in a real browser: from the menu
to the page, the form, and the switch listed as scheduled, on the Chinese UI."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import chromium
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page():
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(10_000)
        yield context.new_page()


def test_the_city_office_schedules_the_9th_edition(settings, city_office, live_server, page):
    settings.PROTOCOL_EDITION = "8"
    day = timezone.localdate() + timedelta(days=3)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "city_office")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("navigation").get_by_role("link", name="防控方案版本").click()
    expect(page.locator("h1")).to_have_text("防控方案版本")
    expect(page.locator("[role=status]").first).to_contain_text("Protocol, 8th edition (2021)")
    expect(page.locator(".empty")).to_contain_text("尚未更换")

    page.select_option("#id_edition", "9")
    page.fill("#id_in_force_from", f"{day:%Y-%m-%d}T00:00")
    page.fill("#id_reason", "第九版方案印发")
    page.get_by_role("button", name="计划更换").click()

    expect(page.get_by_text("将自")).to_contain_text(f"{day:%Y-%m-%d} 00:00")
    row = page.locator("tbody tr", has_text="第九版方案印发")
    expect(row).to_contain_text("已计划")
    expect(row).to_contain_text("city_office")
    expect(row).to_contain_text(f"{day:%Y-%m-%d} 00:00")
