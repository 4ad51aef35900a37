"""In a real browser: the camp's site manager opens the room board, clicks a free room,
assigns a close contact to it by ID number with the pickup details, and sees the cell
turn occupied (in transfer) at once, without reloading; the legend counts follow."""

import pytest
from playwright.sync_api import expect

from epicommand.quarantine.models import Room, Stay
from tests.browser import chromium
from tests.conftest import PASSWORD

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_be_visible()
    return page


# The database fixtures come before live_server so that the test database is set up first
# and torn down last, after the server thread has let go of its connection.
def test_the_site_manager_assigns_a_room_on_the_board_and_the_cell_turns_occupied(
    site_manager, camp, city, live_server
):
    contact = make_person(city.xgz, name="刘志强")
    a203 = room(camp, "A203")
    cell = f"#room-{a203.pk}"
    with chromium() as browser:
        page = logged_in(browser, live_server, "huangzhuang_manager")
        page.goto(f"{live_server.url}/quarantine/sites/{camp.pk}/board/")
        expect(page.locator(cell)).to_have_class("room free")
        expect(page.locator('#board-legend [data-count="free"]')).to_have_text("12")

        page.locator(cell).click()
        panel = page.locator("#room-panel")
        expect(panel.locator("h2")).to_contain_text("A203")
        panel.locator("input[name=id_number]").fill(contact.id_number)
        panel.locator("select[name=reason]").select_option("close_contact")
        panel.locator("input[name=pickup_address]").fill("小果庄村 21 号")
        panel.locator("input[name=vehicle]").fill("冀A·G2021")
        panel.get_by_role("button", name="Assign room").click()

        expect(page.locator(cell)).to_have_class("room occupied transfer")
        expect(page.locator(cell)).to_have_attribute(
            "title", "A203 · Occupied · 刘*强, Being transferred, 14 days left"
        )
        expect(panel).to_contain_text("刘*强")
        expect(page.locator('#board-legend [data-count="free"]')).to_have_text("11")
        expect(page.locator('#board-legend [data-count="occupied"]')).to_have_text("1")

        # The board after a reload says the same: the assignment is stored.
        page.reload()
        expect(page.locator(cell)).to_have_class("room occupied transfer")

    stay = Stay.objects.get(person=contact)
    assert stay.room_id == a203.pk and stay.pickup_address == "小果庄村 21 号"
    assert Room.objects.get(pk=a203.pk).status == Room.Status.OCCUPIED
