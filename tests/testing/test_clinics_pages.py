"""Fever-clinic pages: the list with the day's figures, the doctor's desk (record a visit,
triage it), the visit in full (audited), the CSV report, and scoping."""

import pytest
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.testing.models import FeverClinic, FeverVisit
from tests.conftest import login

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
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def desk(client, clinic, person, **changes):
    form = {
        "id_number": person.id_number,
        "temperature": "38.3",
        "symptoms": ["fever", "cough"],
        "epi_flags": ["risk_area"],
        "epi_history": "",
        "tube_barcode": new_tube(),
        "client_id": "f" * 32,
    }
    form.update(changes)
    return client.post(f"/testing/clinics/{clinic.pk}/", form, **EN)


def test_a_doctor_records_a_visit_at_the_desk(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    client = login(gaocheng_doctor)
    assert client.get(f"/testing/clinics/{gaocheng_clinic.pk}/", **EN).status_code == 200
    done = desk(client, gaocheng_clinic, gaocheng_person)
    assert done.status_code == 302
    recorded = FeverVisit.objects.get()
    page = client.get(f"/testing/clinics/{gaocheng_clinic.pk}/", **EN).content.decode()
    assert recorded.sample.tube.barcode in page
    assert "张*" in page and gaocheng_person.id_number not in page
    assert 'data-figure="visits">1<' in page


def test_the_desk_refuses_a_visit_without_a_tube(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    refused = desk(login(gaocheng_doctor), gaocheng_clinic, gaocheng_person, tube_barcode="")
    assert refused.status_code == 400
    assert "mandatory" in refused.content.decode()
    assert not FeverVisit.objects.exists()


def test_the_desk_refuses_an_unknown_person(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    refused = desk(
        login(gaocheng_doctor),
        gaocheng_clinic,
        gaocheng_person,
        id_number="130109199901019999",
    )
    assert refused.status_code == 400
    assert "no registered person" in refused.content.decode()


def test_triage_from_the_page_reports_a_suspected_case(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    client = login(gaocheng_doctor)
    done = client.post(
        f"/testing/clinics/visits/{recorded.pk}/triage/", {"triage": "suspected"}, **EN
    )
    assert done.status_code == 302
    page = client.get(done.url, **EN).content.decode()
    assert "Suspected case" in page
    recorded.refresh_from_db()
    assert recorded.triage == "suspected"


def test_the_visit_in_full_is_audited(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, epi_flags=["cluster"])
    page = login(gaocheng_doctor).get(f"/testing/clinics/visits/{recorded.pk}/", **EN)
    assert gaocheng_person.id_number in page.content.decode()
    assert AuditEvent.objects.filter(action="fever_visit.view", object_id=str(recorded.pk))


def test_the_list_and_the_csv_show_the_days_figures(
    gaocheng_office, gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, temperature="39.0")
    client = login(gaocheng_office)
    page = client.get("/testing/clinics/", **EN).content.decode()
    assert gaocheng_clinic.name in page
    day = timezone.localdate()
    csv = client.get(f"/testing/clinics/report.csv?day={day:%Y-%m-%d}", **EN)
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith(f"{day:%Y-%m-%d},{gaocheng_clinic.name},")
    assert lines[1].split(",")[3:6] == ["1", "1", "1"]


def test_an_office_sets_a_clinic_up(gaocheng_office, city):
    client = login(gaocheng_office)
    done = client.post(
        "/testing/clinics/new/",
        {
            "name": "增村镇卫生院发热哨点",
            "region_id": "130109104",
            "address": "增村镇",
            "latitude": "38.06",
            "longitude": "114.93",
            "is_active": "on",
        },
    )
    assert done.status_code == 302
    clinic = FeverClinic.objects.get()
    refused = client.post(
        f"/testing/clinics/{clinic.pk}/edit/",
        {"name": "x", "region_id": "130102001", "address": "y", "latitude": "1", "longitude": "1"},
        **EN,
    )
    assert refused.status_code == 400


def test_a_changan_doctor_gets_404_for_gaocheng(
    gaocheng_doctor, changan_doctor, gaocheng_clinic, changan_clinic, gaocheng_person
):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    client = login(changan_doctor)
    page = client.get("/testing/clinics/", **EN).content.decode()
    assert changan_clinic.name in page and gaocheng_clinic.name not in page
    for url in (
        f"/testing/clinics/{gaocheng_clinic.pk}/",
        f"/testing/clinics/visits/{recorded.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert desk(client, gaocheng_clinic, gaocheng_person).status_code == 404
    triage = client.post(f"/testing/clinics/visits/{recorded.pk}/triage/", {"triage": "home"})
    assert triage.status_code == 404
    csv = client.get("/testing/clinics/report.csv").content.decode("utf-8-sig")
    assert gaocheng_clinic.name not in csv


def test_roles_without_a_testing_capability_are_refused(make_user, city):
    from epicommand.core.models import Role

    officer = make_user("officer", Role.CHECKPOINT_OFFICER, city.gaocheng)
    assert login(officer).get("/testing/clinics/").status_code == 403
