"""/api/v1/testing/fever-clinics: clinics, visits with the mandatory test, triage and the
daily report; scoping on every route (a Chang'an doctor gets 404 for Gaocheng's)."""

import pytest

from epicommand.core.models import AuditEvent
from epicommand.testing.models import FeverClinic, FeverVisit
from epicommand.tracing.models import Case
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
BASE = "/api/v1/testing/fever-clinics"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def visit_body(person, **changes):
    body = {
        "id_number": person.id_number,
        "temperature": "38.4",
        "symptoms": ["fever", "sore_throat"],
        "epi_flags": ["case_contact"],
        "epi_history": "与确诊病例同乘一车",
        "tube_barcode": new_tube(),
    }
    body.update(changes)
    return body


def test_an_office_sets_up_lists_and_changes_clinics(gaocheng_office, city):
    client = login(gaocheng_office)
    made = post(
        client,
        BASE,
        {
            "name": "增村镇卫生院发热哨点",
            "region_code": "130109104",
            "address": "增村镇中心街",
            "latitude": 38.06,
            "longitude": 114.93,
        },
    )
    assert made.status_code == 201, made.content
    clinic_id = made.json()["id"]
    listed = client.get(BASE).json()
    assert [c["id"] for c in listed["items"]] == [clinic_id]
    changed = client.patch(
        f"{BASE}/{clinic_id}", {"is_active": False}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    outside = post(
        client,
        BASE,
        {
            "name": "x",
            "region_code": "130102001",
            "address": "y",
            "latitude": 38.0,
            "longitude": 114.5,
        },
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "region_code"


def test_a_doctor_records_a_visit_and_a_replay_changes_nothing(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    client = login(gaocheng_doctor)
    body = visit_body(gaocheng_person, client_id="desk-1-0001")
    made = post(client, f"{BASE}/{gaocheng_clinic.pk}/visits", body)
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["tube_barcode"] == body["tube_barcode"]
    assert data["patient_name"] == "张*"
    assert data["masked_id"] != gaocheng_person.id_number
    assert data["epi_flags"] == ["case_contact"]
    again = post(client, f"{BASE}/{gaocheng_clinic.pk}/visits", body)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert FeverVisit.objects.count() == 1
    listed = client.get(f"{BASE}/{gaocheng_clinic.pk}/visits").json()
    assert [v["id"] for v in listed["items"]] == [data["id"]]


def test_a_visit_without_a_tube_is_refused_naming_the_field(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    client = login(gaocheng_doctor)
    refused = post(
        client, f"{BASE}/{gaocheng_clinic.pk}/visits", visit_body(gaocheng_person, tube_barcode="")
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["tube_barcode"]
    missing = visit_body(gaocheng_person)
    del missing["tube_barcode"]
    assert post(client, f"{BASE}/{gaocheng_clinic.pk}/visits", missing).status_code == 422
    assert not FeverVisit.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"temperature": "44.0"}, "temperature"),
        ({"symptoms": ["sneezing"]}, "symptoms"),
        ({"id_number": "130109199901011234"}, "id_number"),
        ({"tube_barcode": "000000000001"}, "tube_barcode"),
    ],
)
def test_bad_visits_are_refused(gaocheng_doctor, gaocheng_clinic, gaocheng_person, changes, field):
    client = login(gaocheng_doctor)
    refused = post(
        client, f"{BASE}/{gaocheng_clinic.pk}/visits", visit_body(gaocheng_person, **changes)
    )
    assert refused.status_code == 422
    assert field in [e["field"] for e in refused.json()["errors"]]


def test_triage_suspected_reports_a_case(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    client = login(gaocheng_doctor)
    made = post(client, f"{BASE}/{gaocheng_clinic.pk}/visits", visit_body(gaocheng_person))
    visit_id = made.json()["id"]
    triaged = post(client, f"{BASE}/visits/{visit_id}/triage", {"triage": "suspected"})
    assert triaged.status_code == 200, triaged.content
    case = Case.objects.get(person=gaocheng_person)
    assert triaged.json()["case_id"] == case.pk
    assert triaged.json()["visit"]["triage"] == "suspected"
    bad = post(client, f"{BASE}/visits/{visit_id}/triage", {"triage": "discharged"})
    assert bad.status_code == 422


def test_the_visit_in_full_is_audited(gaocheng_doctor, gaocheng_clinic, gaocheng_person):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    shown = login(gaocheng_doctor).get(f"{BASE}/visits/{recorded.pk}")
    assert shown.status_code == 200
    assert shown.json()["id_number"] == gaocheng_person.id_number
    assert AuditEvent.objects.filter(action="fever_visit.view", object_id=str(recorded.pk)).exists()


def test_the_report_counts_the_day(
    gaocheng_doctor, gaocheng_clinic, gaocheng_person, changan_person
):
    a = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person, temperature="38.0")
    visit(gaocheng_doctor, gaocheng_clinic, changan_person, temperature="36.5")
    from epicommand.testing.services import clinics

    clinics.set_triage(gaocheng_doctor, a, "observation")
    report = login(gaocheng_doctor).get(f"{BASE}/{gaocheng_clinic.pk}/report").json()
    assert report["visits"] == 2 and report["with_fever"] == 1 and report["tested"] == 2
    assert report["pending"] == 2
    assert report["triage"] == {
        "awaiting": 1,
        "home": 0,
        "observation": 1,
        "suspected": 0,
        "hospital": 0,
    }
    assert (
        login(gaocheng_doctor).get(f"{BASE}/{gaocheng_clinic.pk}/report?day=bad").status_code == 422
    )


def test_a_changan_doctor_cannot_see_gaocheng_clinics_or_visits(
    gaocheng_doctor, changan_doctor, gaocheng_clinic, changan_clinic, gaocheng_person
):
    recorded = visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    client = login(changan_doctor)
    assert [c["id"] for c in client.get(BASE).json()["items"]] == [changan_clinic.pk]
    for url in (
        f"{BASE}/{gaocheng_clinic.pk}",
        f"{BASE}/{gaocheng_clinic.pk}/visits",
        f"{BASE}/{gaocheng_clinic.pk}/report",
        f"{BASE}/visits/{recorded.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        post(client, f"{BASE}/visits/{recorded.pk}/triage", {"triage": "home"}).status_code == 404
    )
    assert (
        post(client, f"{BASE}/{gaocheng_clinic.pk}/visits", visit_body(gaocheng_person)).status_code
        == 404
    )
    assert (
        client.patch(
            f"{BASE}/{gaocheng_clinic.pk}", {}, content_type="application/json"
        ).status_code
        == 403
    )


def test_roles_without_the_capability_are_refused(
    make_user, city, gaocheng_clinic, gaocheng_person
):
    from epicommand.core.models import Role

    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    client = login(lab)
    assert client.get(BASE).status_code == 200  # lab staff read testing
    assert (
        post(client, f"{BASE}/{gaocheng_clinic.pk}/visits", visit_body(gaocheng_person)).status_code
        == 403
    )
    assert FeverClinic.objects.count() == 1
