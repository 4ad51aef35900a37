"""In a real browser, on the Chinese UI: the administrator issues a city office's token,
which waits; the city office finds it from the menu, approves it, and it works."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from epicommand.core.models import ApiToken
from tests.browser import chromium
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def test_a_city_office_token_waits_for_the_city_office(
    browser, live_server, city, administrator, city_office
):
    admin = logged_in(browser, live_server, "admin")
    admin.get_by_role("navigation").get_by_role("link", name="API 令牌").click()
    admin.fill("#id_name", "市指挥部大屏")
    admin.select_option("#id_role", "city_office")
    admin.select_option("#id_unit", str(city.office.pk))
    admin.fill("#id_region", city.sjz.code)
    admin.locator("form[action='/tokens/issue/'] button[type=submit]").click()
    expect(admin.locator(".notice.warn")).to_contain_text("令牌审批")
    secret = admin.locator("code.secret").inner_text().strip()
    expect(admin.locator("tbody tr", has_text="市指挥部大屏")).to_contain_text("待审批")
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401

    office = logged_in(browser, live_server, "city_office")
    office.get_by_role("navigation").get_by_role("link", name="令牌审批").click()
    expect(office.locator("h1")).to_have_text("令牌审批")
    office.locator("tbody tr", has_text="市指挥部大屏").get_by_role("button", name="批准").click()
    expect(office.locator(".empty")).to_contain_text("没有待您审批的令牌")
    assert ApiToken.objects.get().approved_by == city_office
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    admin.goto(f"{live_server.url}/tokens/")
    expect(admin.locator("tbody tr", has_text="市指挥部大屏")).to_contain_text("city_office")
