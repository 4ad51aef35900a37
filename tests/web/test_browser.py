"""A county epidemiologist's first minutes, in a real browser: log in on the Chinese UI,
find a person by name, see the masked list, open the full record."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page():
    with chromium() as browser:
        # A browser set to Chinese, as the county office's machines are.
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(10_000)
        yield context.new_page()


# The database fixtures come before live_server so that the (session-wide) test database is
# set up first and torn down last, after the server thread has let go of its connection.
def test_a_county_user_finds_a_person_and_opens_the_full_record(
    gaocheng_epi, gaocheng_person, changan_person, live_server, page
):
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("h1")).to_have_text("登录疫情防控指挥平台")
    page.fill("#id_username", "gaocheng_epi")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.locator(".who")).to_contain_text("藁城区")
    page.get_by_role("navigation").get_by_role("link", name="人员", exact=True).click()
    expect(page.locator("h1")).to_have_text("人员")

    page.fill("#q", "张")
    page.get_by_role("button", name="查询").click()
    # htmx pushes the search into the address bar once its results are in.
    expect(page).to_have_url(re.compile(r"[?&]q="))
    results = page.locator("#results")
    expect(results.get_by_role("link", name=gaocheng_person.name)).to_be_visible()
    expect(results).to_contain_text(gaocheng_person.masked_id)
    expect(results).not_to_contain_text(changan_person.name)
    assert gaocheng_person.id_number not in page.content()

    results.get_by_role("link", name=gaocheng_person.name).click()
    expect(page.locator("h1")).to_have_text(gaocheng_person.name)
    expect(page.locator("dl.facts")).to_contain_text(gaocheng_person.id_number)
    expect(page.locator("dl.facts")).to_contain_text(gaocheng_person.phone)
