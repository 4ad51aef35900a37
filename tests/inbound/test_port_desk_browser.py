"""In a real browser on a phone-sized screen: the port desk registers two arrivals off a
flight, samples them and hands them to a transfer vehicle; the site's staff acknowledge
them on their list, and the quarantine stays begin."""

import pytest
from playwright.sync_api import expect

from epicommand.inbound.models import Arrival, Stage
from epicommand.quarantine.models import Stay
from tests.browser import chromium
from tests.conftest import PASSWORD

from .world import (  # noqa: F401  fixtures
    camp_fixture,
    flight_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    port_staff_fixture,
    port_unit_fixture,
    site_manager_fixture,
    transfer_unit_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_be_visible()
    return page


def test_the_port_desk_registers_arrivals_and_the_site_confirms_them(
    port_staff, site_manager, flight, camp, transfer_unit, city, live_server
):
    travellers = [make_person(city.xgz, name=name) for name in ("周杰", "吴敏")]
    with chromium() as browser:
        desk = logged_in(browser, live_server, "port_desk")
        for seat, person in zip(("7A", "7B"), travellers, strict=True):
            desk.goto(f"{live_server.url}/inbound/desk/")
            form = desk.locator("#arrival-form")
            form.locator("select[name=flight]").select_option(str(flight.pk))
            form.locator("input[name=seat]").fill(seat)
            form.locator("input[name=document]").fill(person.id_number)
            form.locator("input[name=name]").fill(person.name)
            form.locator("input[name=origin]").fill("Moscow")
            form.locator("select[name=risk]").select_option("overseas")
            form.locator("input[name=destination_address]").fill("小果庄村 1 号")
            form.locator("input[name=region_code]").fill(city.xgz.code)
            form.locator("button[type=submit]").click()
            expect(desk.locator(".arrival").first).to_contain_text(person.name[0] + "*")
        for _ in travellers:
            desk.locator("form[action$='/port-test/'] button").first.click()
        for _ in travellers:
            transfer = desk.locator("form.transfer").first
            transfer.locator("select[name=transfer_unit]").select_option(str(transfer_unit.pk))
            transfer.locator("select[name=site]").select_option(str(camp.pk))
            transfer.locator("input[name=vehicle]").fill("冀A·D1234")
            transfer.locator("button[type=submit]").click()
        expect(desk.locator("form.transfer")).to_have_count(0)

        site = logged_in(browser, live_server, site_manager.username)
        site.goto(f"{live_server.url}/inbound/handovers/")
        expect(site.locator("tr[data-handover]")).to_have_count(2)
        for _ in travellers:
            site.locator("tr[data-handover] button[type=submit]").first.click()
        expect(site.locator("tr[data-handover]")).to_have_count(0)
    arrivals = Arrival.objects.all()
    assert {a.stage for a in arrivals} == {Stage.AT_SITE}
    assert Stay.objects.filter(site=camp, reason=Stay.Reason.INBOUND).count() == 2
