"""The report pages: the list puts open reports first and marks those awaiting a signature,
the form files a report for the user's unit, the detail shows what each role may do."""

from datetime import timedelta

from django.utils import timezone

from epicommand.command.models import EmergencyReport
from epicommand.command.services import reports as services
from epicommand.core.models import Notification, Role
from tests.command.report_setup import file_report, sign_both
from tests.conftest import login


def test_the_list_shows_open_reports_first_and_marks_the_unsigned(
    gaocheng_epi, city, city_office, party_secretary, mayor
):
    unsigned = file_report(gaocheng_epi, city.xgz, title="未签批的报告")
    signed = file_report(gaocheng_epi, city.xgz, title="已签批的报告")
    sign_both(signed, party_secretary, mayor)
    closed = file_report(gaocheng_epi, city.xgz, title="已办结的报告")
    sign_both(closed, party_secretary, mayor)
    services.close_report(city_office, closed)

    page = login(city_office).get("/reports/")
    assert set(page.context["open_reports"]) == {unsigned, signed}
    assert page.context["closed_reports"] == [closed]
    html = page.content.decode()
    assert html.index(unsigned.title) < html.index(closed.title)
    assert html.index(signed.title) < html.index(closed.title)
    unsigned_row = html[html.rindex("<tr", 0, html.index(unsigned.title)) :]
    assert unsigned_row.startswith('<tr class="unsigned">')
    signed_row = html[html.rindex("<tr", 0, html.index(signed.title)) :]
    assert not signed_row.startswith('<tr class="unsigned">')


def test_the_most_severe_open_report_comes_first(gaocheng_epi, city, city_office):
    general = file_report(gaocheng_epi, city.xgz, severity=EmergencyReport.Severity.GENERAL)
    critical = file_report(gaocheng_epi, city.xgz, severity=EmergencyReport.Severity.CRITICAL)
    page = login(city_office).get("/reports/")
    assert list(page.context["open_reports"]) == [critical, general]


def test_the_form_files_a_report_and_notifies_the_office(gaocheng_epi, city, offices):
    occurred = timezone.localtime() - timedelta(hours=2)
    response = login(gaocheng_epi).post(
        "/reports/new/",
        {
            "title": "增村镇集市发现阳性",
            "severity": "2",
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "region_code": city.zengcun.code,
            "body": "集市摊主核酸阳性",
        },
    )
    report = EmergencyReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.filing_unit == city.gaocheng_cdc
    assert timezone.localtime(report.occurred_at).strftime("%H:%M") == occurred.strftime("%H:%M")
    assert Notification.objects.filter(unit=offices.gaocheng).exists()


def test_the_form_names_what_is_wrong(gaocheng_epi, city, offices):
    response = login(gaocheng_epi).post(
        "/reports/new/",
        {
            "title": "x",
            "severity": "2",
            "occurred_at": "2021-01-05T10:00",
            "region_code": city.community.code,
            "body": "y",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["region_code"] == ["is outside your jurisdiction"]
    assert not EmergencyReport.objects.exists()


def test_the_office_opening_the_report_reads_its_notification(
    gaocheng_epi, city, make_user, offices
):
    report = file_report(gaocheng_epi, city.xgz)
    office = make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, offices.gaocheng)
    page = login(office).get(f"/reports/{report.pk}/")
    assert page.status_code == 200
    assert Notification.objects.get(unit=offices.gaocheng).read_at is not None
    assert Notification.objects.get(unit=offices.leading_group).read_at is None


def test_each_role_sees_only_the_buttons_it_may_use(
    gaocheng_epi, city, city_office, party_secretary, supervisor
):
    report = file_report(gaocheng_epi, city.xgz)
    url = f"/reports/{report.pk}/"
    office = login(city_office).get(url).content.decode()
    assert "/close/" in office and "/steps/" in office and "/sign/" not in office
    leader = login(party_secretary).get(url).content.decode()
    assert "/sign/" in leader and "/close/" not in leader
    # Discipline inspection reads reports and changes nothing.
    inspector = login(supervisor).get(url)
    assert inspector.status_code == 200
    html = inspector.content.decode()
    assert "/sign/" not in html and "/close/" not in html and "/steps/" not in html
    assert login(supervisor).get("/reports/new/").status_code == 403


def test_a_role_with_no_report_capability_cannot_open_the_pages(make_user, city, gaocheng_epi):
    report = file_report(gaocheng_epi, city.xgz)
    admin = make_user("admin", Role.ADMINISTRATOR, city.sjz)
    client = login(admin)
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/{report.pk}/").status_code == 403
    assert client.get("/api/v1/emergency-reports").status_code == 403


def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get("/reports/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
