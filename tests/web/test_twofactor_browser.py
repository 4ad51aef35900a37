"""In a real browser: an epidemiologist logs in with the password, sets up an authenticator
from the enrolment page (the code computed here from the key the page shows), keeps the
recovery codes, and at the next login gives a code; the admin's login asks for it too."""

import re
import time

import pytest
from playwright.sync_api import expect

from epicommand.core import totp, twofactor
from epicommand.core.models import AuditEvent, Role, User
from tests.browser import chromium
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def log_in(browser, live_server, username, path="/login/"):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}", timeout=60_000)  # the first request warms up
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) [type=submit]").click()
    return page


def test_enrolment_then_a_login_with_a_code(browser, live_server, gaocheng_epi):
    page = log_in(browser, live_server, "gaocheng_epi")
    expect(page).to_have_url(re.compile(r"/login/enrol/"))
    expect(page.locator(".twofactor-qr svg")).to_be_visible()
    secret = page.locator("#twofactor-secret").inner_text().replace(" ", "")
    page.fill("#id_code", totp.code_at(secret, time.time()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Persons")).to_be_visible()

    again = log_in(browser, live_server, "gaocheng_epi")
    expect(again).to_have_url(re.compile(r"/login/code/"))
    again.fill("#id_code", "000000")
    again.get_by_role("button", name="Verify").click()
    expect(again.locator(".field .error")).to_contain_text("wrong or already used code")
    # The enrolment used this 30-second step: a code is never accepted twice, so the next.
    again.fill("#id_code", totp.code_at(secret, time.time() + 30))
    again.get_by_role("button", name="Verify").click()
    expect(again.get_by_role("navigation").get_by_role("link", name="Persons")).to_be_visible()

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"twofactor.enrol", "twofactor.failed", "twofactor.verify"} <= actions


def test_the_admin_login_asks_for_the_code(browser, live_server, city):
    root = User.objects.create_superuser(
        "root", password=PASSWORD, role=Role.ADMINISTRATOR, scope_region=city.sjz
    )
    secret = twofactor.begin_enrolment(root)
    twofactor.confirm_enrolment(root, totp.code_at(secret, time.time() - 30))
    page = log_in(browser, live_server, "root", "/admin/login/?next=/admin/")
    expect(page).to_have_url(re.compile(r"/login/code/\?next=%2Fadmin%2F"))
    page.fill("#id_code", totp.code_at(secret, time.time()))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_be_visible()
