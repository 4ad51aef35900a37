"""In a real browser: an epidemiologist opens a case, and on its contacts panel (loaded by
htmx) confirms the two persons co-presence found at the market, one as a close contact and
one as a general contact; the panel updates in place each time."""

import pytest
from playwright.sync_api import expect

from epicommand.tracing.models import Candidate, Contact
from epicommand.tracing.services import contacts
from tests.browser import chromium
from tests.conftest import PASSWORD

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW

pytestmark = pytest.mark.django_db(transaction=True)


# Database fixtures before live_server (see tests/quarantine/test_monitoring_browser.py).
def test_an_epidemiologist_confirms_two_automatic_contacts(world, gaocheng_epi, live_server):
    contacts.refresh_for_case(world.case, now=NOW)
    first, second = Candidate.objects.order_by("-overlap_minutes")
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", gaocheng_epi.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()

        page.goto(f"{live_server.url}/cases/{world.case.pk}/")
        panel = page.locator("#case-contacts-panel")
        expect(panel.locator(f"tr[data-candidate='{first.pk}']")).to_be_visible()
        panel.locator(f"tr[data-candidate='{first.pk}'] button[value=close]").click()
        expect(panel.locator(f"tr[data-candidate='{first.pk}']")).to_have_count(0)
        expect(
            panel.locator(f"table.contacts tr[data-person='{world.shopper.pk}']")
        ).to_be_visible()
        panel.locator(f"tr[data-candidate='{second.pk}'] button[value=general]").click()
        expect(panel.locator("table.candidates")).to_have_count(0)
    found = dict(Contact.objects.filter(found_by="copresence").values_list("person_id", "degree"))
    assert found == {world.shopper.pk: "close", world.changan_shopper.pk: "general"}
