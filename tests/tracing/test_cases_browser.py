"""In a real browser: an epidemiologist registers a case through the form by the person's
ID number, finds the market they scanned on the trajectory timeline as an automatic visit
and confirms it (htmx), and the map draws it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.tracing.models import Case, Visit
from tests.browser import chromium
from tests.conftest import PASSWORD

from .cases_world import market_fixture, scan  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_a_case_and_confirm_its_scan_visit(
    gaocheng_epi, gaocheng_person, market, live_server
):
    scanned_at = timezone.now() - timedelta(hours=3)
    scan(gaocheng_person, market, scanned_at)
    onset = timezone.localdate() - timedelta(days=1)
    with chromium() as browser:
        context = browser.new_context(locale="en", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "gaocheng_epi")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".who")).to_be_visible()

        page.goto(f"{live_server.url}/cases/new/")
        page.fill("#id_id_number", gaocheng_person.id_number)
        page.select_option("#id_classification", "mild")
        page.select_option("#id_detection_route", "fever_clinic")
        page.fill("#id_onset_date", onset.isoformat())
        page.locator("form.stack button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/cases/\d+/$"))

        row = page.locator("tr.visit").filter(has_text=market.name).first
        expect(row).to_have_class(re.compile("suggested"))
        row.locator("form[action$='/confirm/'] button").click()
        confirmed = page.locator("tr.visit.confirmed").filter(has_text=market.name)
        expect(confirmed).to_be_visible()
        expect(page.locator("#case-map canvas")).to_have_count(1)
    case = Case.objects.get(person=gaocheng_person)
    visit = Visit.objects.get(case=case, origin="scan")
    assert visit.status == "confirmed" and visit.venue == market
