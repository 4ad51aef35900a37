"""The top leaders of the party and of the government review and sign each report: signer
and time are recorded, each capacity signs once, two different leaders sign, only leaders."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.command.models import EmergencyReport, Signature
from epicommand.command.services import reports as services
from epicommand.core.models import AuditEvent, Notification
from tests.command.report_setup import file_report, sign_both
from tests.conftest import login

PARTY, GOVERNMENT = Signature.Capacity.PARTY, Signature.Capacity.GOVERNMENT


@pytest.fixture
def report(gaocheng_epi, city, offices):
    return file_report(gaocheng_epi, city.xgz)


def test_a_signature_records_the_signer_the_time_and_the_instruction(report, party_secretary):
    signature = services.sign_report(
        party_secretary, report, capacity=PARTY, instruction="立即封控，全员核酸"
    )
    signature.refresh_from_db()
    assert signature.signer == party_secretary
    assert signature.signed_at is not None
    assert signature.instruction == "立即封控，全员核酸"
    assert AuditEvent.objects.filter(
        action="emergency_report.sign", object_id=str(report.pk), actor=party_secretary
    ).exists()


def test_the_report_is_signed_once_both_leaders_have_signed(report, party_secretary, mayor):
    services.sign_report(party_secretary, report, capacity=PARTY)
    report.refresh_from_db()
    assert report.status == EmergencyReport.Status.FILED
    services.sign_report(mayor, report, capacity=GOVERNMENT)
    report.refresh_from_db()
    assert report.status == EmergencyReport.Status.SIGNED


def test_a_capacity_that_has_signed_cannot_sign_again(report, party_secretary, mayor):
    services.sign_report(party_secretary, report, capacity=PARTY)
    with pytest.raises(ValidationError) as refused:
        services.sign_report(mayor, report, capacity=PARTY)
    assert "party secretary has already signed" in refused.value.message_dict["capacity"][0]
    assert "party_secretary" in refused.value.message_dict["capacity"][0]
    assert report.signatures.count() == 1


def test_one_leader_cannot_sign_in_both_capacities(report, party_secretary):
    services.sign_report(party_secretary, report, capacity=PARTY)
    with pytest.raises(ValidationError) as refused:
        services.sign_report(party_secretary, report, capacity=GOVERNMENT)
    assert "the other leader must sign" in refused.value.message_dict["capacity"][0]


def test_only_leaders_sign(report, city_office, gaocheng_epi, supervisor):
    for user in (city_office, gaocheng_epi, supervisor):
        with pytest.raises(PermissionDenied):
            services.sign_report(user, report, capacity=PARTY)
    assert not Signature.objects.exists()


def test_an_office_cannot_sign_through_the_api_or_the_page(report, city_office):
    client = login(city_office)
    api = client.post(
        f"/api/v1/emergency-reports/{report.pk}/signatures",
        {"capacity": "party"},
        content_type="application/json",
    )
    assert api.status_code == 403
    page = client.post(f"/reports/{report.pk}/sign/", {"capacity": "party"})
    assert page.status_code == 403
    assert not Signature.objects.exists()


def test_a_leader_signs_on_the_page(report, party_secretary):
    client = login(party_secretary)
    page = client.get(f"/reports/{report.pk}/")
    assert f'action="/reports/{report.pk}/sign/"' in page.content.decode()
    response = client.post(
        f"/reports/{report.pk}/sign/", {"capacity": "party", "instruction": "全力处置"}
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.capacity, signature.signer, signature.instruction) == (
        PARTY,
        party_secretary,
        "全力处置",
    )
    assert party_secretary.username in client.get(f"/reports/{report.pk}/").content.decode()


def test_a_leader_signs_through_the_api(report, mayor):
    response = login(mayor).post(
        f"/api/v1/emergency-reports/{report.pk}/signatures",
        {"capacity": "government", "instruction": "同意"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    [signature] = body["signatures"]
    assert signature["signer"] == "mayor" and signature["signed_at"]
    assert body["missing_signatures"] == ["party"]


def test_a_duplicate_signature_through_the_api_is_a_422_naming_the_capacity(
    report, party_secretary, mayor
):
    services.sign_report(party_secretary, report, capacity=PARTY)
    response = login(mayor).post(
        f"/api/v1/emergency-reports/{report.pk}/signatures",
        {"capacity": "party"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "capacity"


def test_the_filing_unit_hears_of_each_signature(report, party_secretary, mayor, city):
    sign_both(report, party_secretary, mayor)
    assert Notification.objects.filter(unit=city.gaocheng_cdc).count() == 2
