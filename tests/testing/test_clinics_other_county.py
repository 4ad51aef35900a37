"""A patient of another county walks into a Gaocheng fever clinic: the visit's own page and
route show them masked (their county reads them in full), as docs/security.md "Persons of
another county" says; a patient of the clinic's county is shown in full."""

import pytest

from epicommand.core.models import AuditEvent
from tests.conftest import login

from .clinics_world import (  # noqa: F401
    gaocheng_clinic_fixture,
    gaocheng_doctor_fixture,
    visit,
)

pytestmark = pytest.mark.django_db


def test_the_visit_route_masks_a_patient_of_another_county(
    gaocheng_doctor, gaocheng_clinic, changan_person
):
    seen = visit(gaocheng_doctor, gaocheng_clinic, changan_person)
    response = login(gaocheng_doctor).get(f"/api/v1/testing/fever-clinics/visits/{seen.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["patient_full_name"], body["masked"]) == ("李*", True)
    assert body["id_number"] == "130102********0022"
    assert body["phone"] == "139****4321"
    text = response.content.decode()
    for secret in ("李娜", changan_person.id_number, changan_person.phone):
        assert secret not in text
    assert AuditEvent.objects.filter(action="fever_visit.view", object_id=str(seen.pk)).exists()


def test_the_visit_page_masks_a_patient_of_another_county(
    gaocheng_doctor, gaocheng_clinic, changan_person
):
    seen = visit(gaocheng_doctor, gaocheng_clinic, changan_person)
    response = login(gaocheng_doctor).get(f"/testing/clinics/visits/{seen.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "李*" in page and "139****4321" in page
    for secret in ("李娜", changan_person.id_number, changan_person.phone):
        assert secret not in page


def test_a_patient_of_the_clinics_county_is_shown_in_full(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    seen = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    body = login(gaocheng_doctor).get(f"/api/v1/testing/fever-clinics/visits/{seen.pk}").json()
    assert (body["patient_full_name"], body["masked"]) == (gaocheng_person.name, False)
    assert (body["id_number"], body["phone"]) == (gaocheng_person.id_number, gaocheng_person.phone)
    page = login(gaocheng_doctor).get(f"/testing/clinics/visits/{seen.pk}/").content.decode()
    assert gaocheng_person.id_number in page
