"""In a real browser, on a phone-sized screen: a fever-clinic doctor records a patient's
visit with the tube of the mandatory test and sees it in the day's visits and report, then
sends the patient home."""

import pytest
from playwright.sync_api import expect

from epicommand.testing.models import FeverVisit
from tests.browser import chromium
from tests.conftest import PASSWORD

from .clinics_world import gaocheng_clinic_fixture, gaocheng_doctor_fixture, new_tube  # noqa: F401

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


# Selectors, not button texts, so the test holds in either language.
def test_a_doctor_records_a_visit_with_a_tube_and_sees_it_in_the_days_report(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person, live_server
):
    tube = new_tube()
    with chromium() as browser:
        page = logged_in(browser, live_server, gaocheng_doctor.username)
        page.goto(f"{live_server.url}/testing/clinics/")
        page.locator(f"a[href*='/testing/clinics/{gaocheng_clinic.pk}/']").first.click()
        expect(page.locator("[data-figure=visits]")).to_have_text("0")

        form = page.locator("#visit-form")
        form.locator("input[name=id_number]").fill(gaocheng_person.id_number)
        form.locator("input[name=temperature]").fill("38.6")
        form.locator("input[name=symptoms][value=fever]").check()
        form.locator("input[name=symptoms][value=cough]").check()
        form.locator("input[name=epi_flags][value=risk_area]").check()
        # Saving without the tube is refused: the test is mandatory.
        form.locator("button[type=submit]").click()
        expect(page.locator("#visit-form .error")).to_be_visible()
        page.locator("#visit-form input[name=tube_barcode]").fill(tube)
        page.locator("#visit-form button[type=submit]").click()

        expect(page.locator(".messages .success")).to_contain_text(tube)
        expect(page.locator("[data-figure=visits]")).to_have_text("1")
        expect(page.locator("[data-figure=with_fever]")).to_have_text("1")
        expect(page.locator("[data-figure=tested]")).to_have_text("1")
        expect(page.locator("[data-figure=pending]")).to_have_text("1")
        row = page.locator("#visits tbody tr", has_text=tube)
        expect(row).to_contain_text("38.6")

        row.locator("select[name=triage]").select_option("home")
        row.locator("button[type=submit]").click()
        expect(page.locator(".messages .success")).to_be_visible()
        expect(page.locator("[data-figure=untriaged]")).to_have_text("0")

    visit = FeverVisit.objects.get()
    assert visit.sample.tube.barcode == tube
    assert visit.triage == "home" and visit.recorded_by == gaocheng_doctor
