"""In a real browser: Chang'an's epidemiologist opens the referral inbox, finds the contact
Gaocheng referred with its deadline, acknowledges it in place (htmx), and the open count
drops to none after a reload."""

import pytest
from playwright.sync_api import expect

from epicommand.tracing.models import Referral
from tests.browser import chromium
from tests.conftest import PASSWORD

from .referrals_world import referral_world  # noqa: F401


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


# The database fixtures come before live_server (see tests/quarantine/*_browser.py).
def test_changan_opens_the_inbox_and_acknowledges_the_referral(world, live_server):
    referral = world.refer()
    with chromium() as browser:
        page = logged_in(browser, live_server, "changan_epi")
        page.goto(f"{live_server.url}/referrals/")
        row = page.locator(f"#referral-{referral.pk}")
        expect(row).to_contain_text(referral.name)
        expect(row).to_contain_text("130102********0022")
        expect(row.locator(".badge.bad").first).to_be_visible()  # overdue
        expect(page.locator("#open-count")).to_contain_text("1")

        row.locator("button.acknowledge").click()
        expect(row.locator('[data-status="acknowledged"]')).to_be_visible()
        expect(row.locator("button.acknowledge")).to_have_count(0)
        expect(row).to_contain_text("changan_epi")

        page.reload()
        expect(page.locator("#open-count")).to_contain_text("0")
    acknowledged = Referral.objects.get()
    assert (acknowledged.status, acknowledged.acknowledged_by) == ("acknowledged", "changan_epi")
