"""Any unit files an emergency report; the command offices of the county and of the city and
the city's leading group are notified at once, and the filing is audited and counted."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.command.models import EmergencyReport
from epicommand.core.models import AuditEvent, Counter, Notification, Role
from tests.command.report_setup import file_report


def test_a_county_epidemiologist_files_a_report_for_their_unit(gaocheng_epi, city, offices):
    report = file_report(gaocheng_epi, city.xgz)
    assert report.status == EmergencyReport.Status.FILED
    assert report.filing_unit == city.gaocheng_cdc
    assert report.filed_by == gaocheng_epi
    assert report.region == city.xgz


def test_filing_notifies_the_county_and_city_offices_and_the_leading_group(
    gaocheng_epi, city, offices
):
    report = file_report(gaocheng_epi, city.xgz)
    notified = Notification.objects.filter(url=f"/reports/{report.pk}/")
    assert set(notified.values_list("unit", flat=True)) == {
        offices.gaocheng.pk,
        offices.city.pk,
        offices.leading_group.pk,
    }
    assert all(report.title in n.message for n in notified)
    assert not Notification.objects.filter(unit=offices.changan).exists()


def test_the_filing_and_the_notification_are_audited(gaocheng_epi, city, offices):
    report = file_report(gaocheng_epi, city.xgz)
    events = AuditEvent.objects.filter(object_id=str(report.pk), object_type__contains="report")
    assert set(events.values_list("action", flat=True)) == {
        "emergency_report.file",
        "emergency_report.notify",
    }
    notify = events.get(action="emergency_report.notify")
    assert offices.gaocheng.name in notify.reason and offices.leading_group.name in notify.reason


def test_filing_counts_the_report_for_its_county_and_the_city(gaocheng_epi, city, offices):
    file_report(gaocheng_epi, city.xgz)
    file_report(gaocheng_epi, city.zengcun)
    today = timezone.localdate()
    for metric in ("reports_filed", "reports_open"):
        for region in (city.gaocheng, city.sjz):
            assert Counter.objects.get(region=region, metric=metric, day=today).value == 2
    assert not Counter.objects.filter(region=city.changan).exists()


def test_a_report_outside_the_filers_jurisdiction_is_refused(gaocheng_epi, city, offices):
    with pytest.raises(ValidationError) as refused:
        file_report(gaocheng_epi, city.community)
    assert refused.value.message_dict == {"region_code": ["is outside your jurisdiction"]}
    assert not EmergencyReport.objects.exists()


def test_missing_and_wrong_fields_are_named_together(gaocheng_epi, city, offices):
    with pytest.raises(ValidationError) as refused:
        file_report(
            gaocheng_epi,
            city.xgz,
            title=" ",
            body="",
            severity=9,
            occurred_at=timezone.now() + timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"title", "body", "severity", "occurred_at"}
    assert refused.value.message_dict["occurred_at"] == ["is in the future"]


def test_a_user_of_no_unit_is_told_to_ask_for_one(make_user, city, offices):
    user = make_user("no_unit", Role.EPIDEMIOLOGIST, city.gaocheng)
    user.unit = None
    user.save()
    with pytest.raises(ValidationError) as refused:
        file_report(user, city.xgz)
    assert "filing_unit" in refused.value.message_dict


def test_a_role_without_the_capability_cannot_file(supervisor, city, offices):
    with pytest.raises(PermissionDenied):
        file_report(supervisor, city.xgz)
    assert not Notification.objects.exists()
