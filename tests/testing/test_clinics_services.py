"""Fever-clinic visits through the service: the mandatory test, refusals naming the field,
replays, triage into a suspected case, the fever_visits counter and the daily report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.models import Counter
from epicommand.testing.models import FeverVisit, PriorityTest, Sample, Tube
from epicommand.testing.queries import clinics as queries
from epicommand.testing.services import clinics
from epicommand.tracing.models import Case

from .clinics_world import (  # noqa: F401
    changan_clinic_fixture,
    changan_doctor_fixture,
    gaocheng_clinic_fixture,
    gaocheng_doctor_fixture,
    gaocheng_office_fixture,
    new_tube,
    visit,
)

pytestmark = pytest.mark.django_db


def test_a_visit_takes_the_mandatory_test_into_a_single_tube(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    tube = new_tube()
    recorded = visit(
        gaocheng_doctor,
        gaocheng_clinic,
        gaocheng_person,
        tube_barcode=tube,
        epi_flags=["risk_area"],
        epi_history="1 月 2 日去过小果庄村",
    )
    recorded.refresh_from_db()
    assert recorded.sample.person == gaocheng_person
    assert recorded.sample.tube.barcode == tube
    assert recorded.sample.tube.purpose == Tube.Purpose.FEVER_CLINIC
    assert recorded.sample.tube.capacity == 1
    assert recorded.temperature == Decimal("38.1")
    assert recorded.region_id == gaocheng_person.region_id
    assert recorded.epi_flags == ["risk_area"]
    assert recorded.epi_history == "1 月 2 日去过小果庄村"
    # Listed as a fever-clinic patient and sampled at once.
    entry = PriorityTest.objects.get(person=gaocheng_person)
    assert entry.reason == PriorityTest.Reason.FEVER_CLINIC
    assert entry.sampled_at == recorded.visited_at


def test_a_visit_without_a_tube_is_refused_naming_the_field(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    with pytest.raises(ValidationError) as refused:
        visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, tube_barcode="  ")
    assert "mandatory" in refused.value.message_dict["tube_barcode"][0]
    assert not FeverVisit.objects.exists()
    assert not Sample.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"temperature": "45.2"}, "temperature"),
        ({"temperature": "31"}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
        ({"symptoms": ["fever", "hiccups"]}, "symptoms"),
        ({"symptoms": "fever"}, "symptoms"),
        ({"epi_flags": ["abroad"]}, "epi_flags"),
        ({"epi_history": "x" * 600}, "epi_history"),
        ({"tube_barcode": "12345"}, "tube_barcode"),
        ({"visited_at": timezone.now() + timedelta(hours=2)}, "visited_at"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person, changes, field
):
    with pytest.raises(ValidationError) as refused:
        visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, **changes)
    assert field in refused.value.message_dict
    assert not FeverVisit.objects.exists()
    assert not Tube.objects.exists()
    assert not PriorityTest.objects.exists()


def test_a_tube_used_before_is_refused_and_the_visit_not_kept(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person, changan_person
):
    tube = new_tube()
    visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, tube_barcode=tube)
    with pytest.raises(ValidationError) as refused:
        visit(gaocheng_doctor, gaocheng_clinic, changan_person, tube_barcode=tube)
    assert "tube_barcode" in refused.value.message_dict
    assert FeverVisit.objects.count() == 1


def test_a_replayed_client_id_changes_nothing(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    first = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, client_id="desk1-0001")
    again = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, client_id="desk1-0001")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert FeverVisit.objects.count() == 1 and Sample.objects.count() == 1


def test_a_patient_from_another_district_is_seen_and_counted_where_they_live(
    gaocheng_doctor, gaocheng_clinic, changan_person
):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, changan_person)
    day = timezone.localdate(recorded.visited_at)
    counts = dict(
        Counter.objects.filter(metric="fever_visits", day=day).values_list("region_id", "value")
    )
    assert counts == {"130102": 1, "130100": 1}
    # The clinic's doctor sees the visit though the patient lives in Chang'an.
    assert queries.visible_visit(gaocheng_doctor, recorded.pk) == recorded


def test_a_closed_clinic_takes_no_visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    gaocheng_clinic.is_active = False
    gaocheng_clinic.save()
    with pytest.raises(ValidationError) as refused:
        visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    assert "clinic" in refused.value.message_dict


def test_a_doctor_records_only_at_clinics_of_their_district(
    changan_doctor, gaocheng_clinic, gaocheng_person
):
    with pytest.raises(PermissionDenied):
        visit(changan_doctor, gaocheng_clinic, gaocheng_person)


def test_a_suspected_triage_reports_a_case_with_a_transfer_order(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    result = clinics.set_triage(gaocheng_doctor, recorded, "suspected", note="CT 磨玻璃影")
    case = Case.objects.get(person=gaocheng_person)
    assert result.case == case and not result.case_existed
    assert case.classification == "suspected"
    assert case.detection_route == "fever_clinic"
    assert case.source_key == f"fever_visit:{recorded.pk}"
    assert case.sampling_date == timezone.localdate(recorded.visited_at)
    assert case.transfer_ordered_at is not None
    recorded.refresh_from_db()
    assert recorded.triage == FeverVisit.Triage.SUSPECTED


def test_a_patient_with_an_open_case_keeps_it(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    first = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    clinics.set_triage(gaocheng_doctor, first, "suspected")
    second = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    result = clinics.set_triage(gaocheng_doctor, second, "suspected")
    assert result.case_existed
    assert Case.objects.filter(person=gaocheng_person).count() == 1


def test_a_reported_case_goes_on_to_hospital_but_never_back_home(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    clinics.set_triage(gaocheng_doctor, recorded, "suspected")
    with pytest.raises(ValidationError) as refused:
        clinics.set_triage(gaocheng_doctor, recorded, "home")
    assert "triage" in refused.value.message_dict
    clinics.set_triage(gaocheng_doctor, recorded, "hospital")
    recorded.refresh_from_db()
    assert recorded.triage == "hospital"


def test_an_unknown_triage_is_refused(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    with pytest.raises(ValidationError) as refused:
        clinics.set_triage(gaocheng_doctor, recorded, "discharged")
    assert "triage" in refused.value.message_dict


def test_the_daily_report_equals_a_direct_count(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person, changan_person
):
    now = timezone.now()
    a = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, temperature="38.5")
    b = visit(gaocheng_doctor, gaocheng_clinic, changan_person, temperature="36.8")
    visit(
        gaocheng_doctor,
        gaocheng_clinic,
        changan_person,
        temperature="37.3",
        visited_at=now - timedelta(days=1),
    )
    Sample.objects.filter(pk=a.sample_id).update(status=Sample.Status.NEGATIVE)
    clinics.set_triage(gaocheng_doctor, a, "home")
    clinics.set_triage(gaocheng_doctor, b, "observation")
    today = timezone.localdate(now)
    (line,) = queries.daily_report([gaocheng_clinic], today)
    start, end = queries.day_bounds(today)
    visits = FeverVisit.objects.filter(
        clinic=gaocheng_clinic, visited_at__gte=start, visited_at__lt=end
    )
    assert line.visits == visits.count() == 2
    assert line.with_fever == visits.filter(temperature__gte=Decimal("37.3")).count() == 1
    assert line.tested == 2
    assert line.negative == 1 and line.positive == 0 and line.pending == 1
    assert line.triage["home"] == 1 and line.triage["observation"] == 1
    assert line.triage[""] == 0
    (yesterday,) = queries.daily_report([gaocheng_clinic], today - timedelta(days=1))
    assert yesterday.visits == 1 and yesterday.with_fever == 1


def test_clinics_are_set_up_inside_ones_jurisdiction(gaocheng_office, city):
    clinic = clinics.create_clinic(
        gaocheng_office,
        name="藁城区中医院发热门诊",
        region_id="130109104",
        address="增村镇",
        latitude=38.0,
        longitude=114.9,
    )
    assert clinic.region_id == "130109104"
    with pytest.raises(ValidationError) as refused:
        clinics.create_clinic(
            gaocheng_office,
            name="x",
            region_id="130102001",
            address="y",
            latitude=38.0,
            longitude=114.5,
        )
    assert "region_id" in refused.value.message_dict
    clinics.update_clinic(gaocheng_office, clinic, is_active=False, reason="撤并")
    clinic.refresh_from_db()
    assert not clinic.is_active
