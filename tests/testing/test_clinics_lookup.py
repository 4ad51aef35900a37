"""A patient from any county walks into a fever clinic: a Gaocheng doctor finds a Chang'an
resident by ID number, the look-up is audited, and the answer is masked."""

import pytest

from epicommand.core.models import AuditEvent
from epicommand.testing.models import FeverVisit
from tests.conftest import login

from .clinics_world import (  # noqa: F401
    gaocheng_clinic_fixture,
    gaocheng_doctor_fixture,
    new_tube,
)

pytestmark = pytest.mark.django_db
OUTSIDE = "person.find_outside_jurisdiction"


def visit_form(person):
    return {
        "id_number": person.id_number,
        "temperature": "38.6",
        "symptoms": ["fever"],
        "epi_flags": [],
        "epi_history": "",
        "tube_barcode": new_tube(),
    }


def test_a_patient_of_another_county_is_seen_by_api_audited_and_masked(
    gaocheng_doctor, gaocheng_clinic, changan_person
):
    response = login(gaocheng_doctor).post(
        f"/api/v1/testing/fever-clinics/{gaocheng_clinic.pk}/visits",
        visit_form(changan_person),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_id"], body["patient_name"]) == (changan_person.pk, "李*")
    assert changan_person.id_number not in response.content.decode()
    event = AuditEvent.objects.get(action=OUTSIDE, object_id=str(changan_person.pk))
    assert (event.actor, event.region_id, event.reason) == (
        gaocheng_doctor,
        changan_person.region_id,
        "fever clinic",
    )


def test_a_patient_of_another_county_is_seen_at_the_desk_and_audited(
    gaocheng_doctor, gaocheng_clinic, changan_person
):
    client = login(gaocheng_doctor)
    form = {**visit_form(changan_person), "client_id": "c" * 32}
    done = client.post(f"/testing/clinics/{gaocheng_clinic.pk}/", form)
    assert done.status_code == 302
    assert FeverVisit.objects.filter(person=changan_person, clinic=gaocheng_clinic).exists()
    page = client.get(f"/testing/clinics/{gaocheng_clinic.pk}/").content.decode()
    assert "李*" in page and changan_person.id_number not in page
    assert AuditEvent.objects.filter(action=OUTSIDE, object_id=str(changan_person.pk)).exists()


def test_a_patient_of_the_clinics_own_county_is_not_an_outside_look_up(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    response = login(gaocheng_doctor).post(
        f"/api/v1/testing/fever-clinics/{gaocheng_clinic.pk}/visits",
        visit_form(gaocheng_person),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert not AuditEvent.objects.filter(action=OUTSIDE).exists()
