"""In a real browser: the village worker applies for a meeting with its attendee list,
approves it from the village's queue, and the attendee check lists who lacks a test."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.gatherings.models import Application
from tests.browser import chromium
from tests.conftest import PASSWORD

from .world import make_people

pytestmark = pytest.mark.django_db(transaction=True)
LOCAL = "%Y-%m-%dT%H:%M"


def test_a_meeting_is_applied_for_approved_and_its_attendees_checked(
    approvers, hall, city, live_server
):
    people = make_people(city.xgz, 3)
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0)
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(30_000)  # a loaded machine serves slowly
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", approvers.village.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()
        page.goto(f"{live_server.url}/gatherings/new/meeting/")
        page.fill("#id_organizer", "小果庄村委会")
        page.fill("#id_purpose", "村民代表会议")
        page.fill("#id_venue_id", str(hall.pk))
        page.fill("#id_starts_at", start.strftime(LOCAL))
        page.fill("#id_ends_at", (start + timedelta(hours=2)).strftime(LOCAL))
        page.fill("#id_headcount", "3")
        page.fill("#id_attendees", "\n".join(f"{p.name}, {p.id_number}" for p in people))
        page.locator("#application-form button[type=submit]").click()
        expect(page.locator("#stages tbody tr")).to_have_count(1)
        page.goto(f"{live_server.url}/gatherings/queue/")
        expect(page.locator("#queue tbody tr")).to_have_count(1)
        page.locator("#queue tbody tr a").first.click()
        page.select_option("#id_decision", "approve")
        page.locator("#decision-form button[type=submit]").click()
        expect(page.locator("#decision-form")).to_have_count(0)
        page.locator("#check-link").click()
        expect(page.locator("#check tbody tr")).to_have_count(3)
        expect(page.locator("#check tbody")).not_to_contain_text(people[0].id_number)
    assert Application.objects.get().status == Application.Status.APPROVED
