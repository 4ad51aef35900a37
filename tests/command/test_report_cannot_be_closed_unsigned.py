"""An emergency report cannot be closed without the signatures of both top leaders: the
service, the API and the page all refuse, naming who has not signed."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.command.models import EmergencyReport, Signature
from epicommand.command.services import reports as services
from epicommand.core.models import AuditEvent, Counter
from tests.command.report_setup import file_report, sign_both
from tests.conftest import login

MISSING_BOTH = (
    "cannot be closed without the signatures of the party secretary and head of government"
)


@pytest.fixture
def report(gaocheng_epi, city, offices):
    return file_report(gaocheng_epi, city.xgz)


def _status(report):
    report.refresh_from_db()
    return report.status


def test_the_service_refuses_naming_both_missing_signatures(report, city_office):
    with pytest.raises(ValidationError) as refused:
        services.close_report(city_office, report)
    assert refused.value.message_dict == {"signatures": [MISSING_BOTH]}
    assert _status(report) == EmergencyReport.Status.FILED
    assert report.closed_at is None


def test_with_one_signature_the_refusal_names_the_other(report, city_office, party_secretary):
    services.sign_report(party_secretary, report, capacity=Signature.Capacity.PARTY)
    with pytest.raises(ValidationError) as refused:
        services.close_report(city_office, report)
    assert refused.value.messages == [
        "cannot be closed without the signatures of the head of government"
    ]


def test_the_api_answers_422_naming_the_missing_signatures(report, city_office):
    response = login(city_office).post(
        f"/api/v1/emergency-reports/{report.pk}/close", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "signatures", "message": MISSING_BOTH}]
    assert _status(report) == EmergencyReport.Status.FILED


def test_the_page_refuses_and_says_why(report, city_office):
    response = login(city_office).post(f"/reports/{report.pk}/close/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert MISSING_BOTH in response.content.decode()
    assert _status(report) == EmergencyReport.Status.FILED


def test_once_both_have_signed_the_report_closes_and_leaves_the_open_count(
    report, city_office, party_secretary, mayor, city
):
    sign_both(report, party_secretary, mayor)
    response = login(city_office).post(f"/api/v1/emergency-reports/{report.pk}/close")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    report.refresh_from_db()
    assert report.status == EmergencyReport.Status.CLOSED and report.closed_at is not None
    today = timezone.localdate()
    assert Counter.objects.get(region=city.gaocheng, metric="reports_open", day=today).value == 0
    assert Counter.objects.get(region=city.sjz, metric="reports_filed", day=today).value == 1
    assert AuditEvent.objects.filter(action="emergency_report.close").count() == 1


def test_a_closed_report_takes_no_more_steps_and_cannot_close_twice(
    report, city_office, party_secretary, mayor
):
    sign_both(report, party_secretary, mayor)
    services.close_report(city_office, report)
    with pytest.raises(ValidationError):
        services.add_handling_step(city_office, report, "补充情况")
    with pytest.raises(ValidationError):
        services.close_report(city_office, report)
