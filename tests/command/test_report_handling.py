"""The handling of a report is tracked step by step (who, when, what); a report handled
before the leaders sign stays "being handled" once they do."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.command.models import EmergencyReport
from epicommand.command.services import reports as services
from tests.command.report_setup import file_report, sign_both
from tests.conftest import login


@pytest.fixture
def report(gaocheng_epi, city, offices):
    return file_report(gaocheng_epi, city.xgz)


def test_a_handling_step_is_recorded_with_who_and_when(report, gaocheng_office_user):
    step = services.add_handling_step(gaocheng_office_user, report, "已对小果庄村实施封控")
    assert step.by == gaocheng_office_user and step.at is not None
    report.refresh_from_db()
    assert report.status == EmergencyReport.Status.HANDLING


def test_a_blank_step_is_refused(report, gaocheng_office_user):
    with pytest.raises(ValidationError) as refused:
        services.add_handling_step(gaocheng_office_user, report, "  ")
    assert refused.value.message_dict == {"text": ["is required"]}


def test_field_staff_file_reports_but_do_not_handle_them(report, gaocheng_epi):
    with pytest.raises(PermissionDenied):
        services.add_handling_step(gaocheng_epi, report, "x")


def test_handling_before_the_signatures_stays_handling_after_them(
    report, gaocheng_office_user, party_secretary, mayor
):
    services.add_handling_step(gaocheng_office_user, report, "流调队伍已到位")
    sign_both(report, party_secretary, mayor)
    report.refresh_from_db()
    assert report.status == EmergencyReport.Status.HANDLING


def test_steps_show_on_the_page_and_in_the_api(report, gaocheng_office_user):
    client = login(gaocheng_office_user)
    response = client.post(f"/reports/{report.pk}/steps/", {"text": "转运密接 12 人"})
    assert response.status_code == 302
    assert "转运密接 12 人" in client.get(f"/reports/{report.pk}/").content.decode()
    api = client.post(
        f"/api/v1/emergency-reports/{report.pk}/steps",
        {"text": "完成全村核酸采样"},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert [s["text"] for s in api.json()["steps"]] == ["转运密接 12 人", "完成全村核酸采样"]
    assert api.json()["status"] == "handling"
