"""In a real browser: the city office issues a task to Gaocheng's command office; a
Gaocheng office user acknowledges it and completes it with evidence; the office sees it
done."""

import pytest
from playwright.sync_api import expect

from epicommand.command.models import Task
from epicommand.core.models import Role, Unit
from tests.browser import chromium
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gaocheng_office(make_user, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = Unit.objects.create(
        name="藁城区疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city.gaocheng
    )
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, unit)


def logged_in(browser, live_server, username):
    """A fresh browser (Chinese, as the offices' machines are) logged in as `username`."""
    context = browser.new_context(locale="zh-CN")
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
def test_the_office_issues_a_county_acknowledges_and_completes_the_office_sees_it_done(
    city_office, gaocheng_office, live_server
):
    with chromium() as browser:
        office = logged_in(browser, live_server, "city_office")
        office.goto(f"{live_server.url}/tasks/new/")
        office.fill("#id_title", "核查增村镇密接管控情况")
        office.fill("#id_text", "逐人核对，今晚报告。")
        office.select_option("#id_priority", "1")
        office.fill("#id_deadline", "2099-01-01T18:00")
        office.get_by_label("藁城区疫情防控指挥部办公室").check()
        office.locator("form.stack button[type=submit]").click()
        expect(office.locator("h1")).to_contain_text("核查增村镇密接管控情况")
        expect(office.locator("dl.facts")).to_contain_text("藁城区疫情防控指挥部办公室")

        county = logged_in(browser, live_server, "gaocheng_office")
        expect(county.locator("a.notifications .badge")).to_have_text("1")
        county.locator("a.notifications").click()
        county.get_by_role("link", name="核查增村镇密接管控情况").click()
        expect(county.locator("h1")).to_contain_text("核查增村镇密接管控情况")
        county.locator("#acknowledge").click()
        expect(county.locator("#complete-form")).to_be_visible()
        county.fill("#complete-form textarea[name=text]", "密接 46 人全部集中隔离。")
        county.set_input_files(
            "#complete-form input[name=evidence]",
            files=[{"name": "台账.csv", "mimeType": "text/csv", "buffer": "姓名,状态\n".encode()}],
        )
        county.locator("#complete").click()
        expect(county.locator("#task-status .badge.ok")).to_be_visible()

        office.reload()
        expect(office.locator("#task-status .badge.ok")).to_have_text("已办结")
        expect(office.locator("#trail")).to_contain_text("台账.csv")
        office.goto(f"{live_server.url}/tasks/?status=done")
        expect(office.locator("#results")).to_contain_text("核查增村镇密接管控情况")

    task = Task.objects.get()
    assert (task.assignee, task.status) == (gaocheng_office.unit, Task.Status.DONE)
    assert task.attachments.get().name == "台账.csv"
