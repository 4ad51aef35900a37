"""In a real browser: a resident of a household kept at home identifies through the
health-code identify page, sees their days remaining, requests medicine; the community
worker's list shows the request with its due time, and the worker assigns it to a
volunteer with the quick action, without leaving the list."""

import pytest
from playwright.sync_api import expect

from epicommand.quarantine.models import SupplyRequest
from tests.browser import chromium
from tests.conftest import PASSWORD

from .household_world import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, username):
    """A fresh browser (Chinese, as the offices' phones are) logged in as `username`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


# The database fixtures come before live_server so that the test database is set up first
# and torn down last, after the server thread has let go of its connection.
def test_a_resident_requests_medicine_and_the_community_worker_sees_and_assigns_it(
    home_quarantine, gaocheng_person, gaocheng_worker, gaocheng_team, live_server
):
    with chromium() as browser:
        context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        context.set_default_timeout(10_000)
        resident = context.new_page()
        resident.goto(f"{live_server.url}/quarantine/me/")
        expect(resident).to_have_url(f"{live_server.url}/code/identify/?next=%2Fquarantine%2Fme%2F")
        resident.fill("#id_document", gaocheng_person.id_number)
        resident.fill("#id_phone", gaocheng_person.phone)
        resident.locator("form.stack button[type=submit]").click()
        expect(resident).to_have_url(f"{live_server.url}/quarantine/me/")
        expect(resident.locator("#my-household")).to_contain_text("4 days remaining")
        resident.select_option("#id_kind", "medicine")
        resident.fill("#id_items", "硝苯地平 1 盒")
        resident.locator("#request-form button[type=submit]").click()
        expect(resident.locator(".messages")).to_contain_text("Your request is recorded")
        expect(resident.locator("#my-requests")).to_contain_text("硝苯地平 1 盒")

        worker = logged_in(browser, live_server, "zengcun_worker")
        worker.goto(f"{live_server.url}/quarantine/households/")
        card = worker.locator(f"#household-{home_quarantine.pk}")
        expect(card).to_contain_text("硝苯地平 1 盒")
        item = card.locator(".supply-item", has_text="硝苯地平 1 盒")
        expect(item.locator(".due")).to_be_visible()
        item.locator("input[name=volunteer]").fill("刘洋")
        item.locator("button.assign").click()
        assigned = card.locator(".supply-item", has_text="硝苯地平 1 盒")
        expect(assigned).to_have_attribute("data-status", "assigned")
        expect(assigned).to_contain_text("刘洋")
        expect(worker).to_have_url(f"{live_server.url}/quarantine/households/")

    supply = SupplyRequest.objects.get()
    assert (supply.status, supply.team, supply.volunteer) == ("assigned", gaocheng_team, "刘洋")
