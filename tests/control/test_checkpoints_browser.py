"""In a real browser on a phone-sized screen: a checkpoint officer opens the post their unit
staffs, records a passer with fever, sees DENY, and the person's health code has turned
yellow and they are on the priority-testing list."""

import pytest
from playwright.sync_api import expect

from epicommand.control.models import Colour, HealthCode, Passage
from epicommand.testing.models import PriorityTest
from tests.browser import chromium
from tests.conftest import PASSWORD

from .checkpoint_world import checkpoint_world

pytestmark = pytest.mark.django_db(transaction=True)


# The database fixtures come before live_server so that the test database is set up first
# and torn down last, after the server thread has let go of its connection.
def test_an_officer_records_a_feverish_passer_sees_deny_and_the_code_turns_yellow(
    city, make_user, city_office, gaocheng_person, live_server
):
    world = checkpoint_world(city, make_user, city_office)
    with chromium() as browser:
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", world.officer.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()

        page.goto(f"{live_server.url}/checkpoints/")
        page.locator(".my-posts a.post-record").first.click()
        expect(page.locator("h1")).to_have_text(world.checkpoint.name)
        page.fill("#id_passer", gaocheng_person.id_number)
        page.fill("#id_temperature", "38.3")
        page.locator("label.direction-choice").nth(1).click()
        page.locator("button.record-button").click()

        verdict = page.locator(".verdict")
        expect(verdict).to_have_attribute("data-verdict", "deny")
        expect(verdict).to_contain_text("38.3")
        expect(verdict).to_contain_text("130109********1238")
        # The verdict fills the phone's width and nothing scrolls sideways.
        box = verdict.bounding_box()
        assert box["width"] > 300
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        # The form is ready for the next passer, in the same direction.
        expect(page.locator("#id_passer")).to_have_value("")
        expect(page.locator("#id_direction_1")).to_be_checked()

    passage = Passage.objects.get()
    assert (passage.person, passage.verdict, passage.direction) == (gaocheng_person, "deny", "out")
    assert HealthCode.objects.get(person=gaocheng_person).colour == Colour.YELLOW
    assert PriorityTest.objects.get().person == gaocheng_person
