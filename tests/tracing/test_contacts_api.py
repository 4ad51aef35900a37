"""/api/v1/contacts: add, list, read, move on, candidates; scoping on every route (a
Chang'an user gets 404 for a Gaocheng contact, a Gaocheng epidemiologist never sees a
Chang'an contact), bad input refused naming the field, detail views audited."""

import json

from epicommand.core.models import AuditEvent
from epicommand.tracing.models import Candidate, Contact
from epicommand.tracing.services import contacts
from tests.conftest import login

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW, local

API = "/api/v1/contacts"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def new_contact(client, world, person, **changes):
    data = {
        "case_id": world.case.pk,
        "id_number": person.id_number,
        "degree": "close",
        "setting": "meal",
        "last_exposure_at": local(19, 12).isoformat(),
    }
    return post(client, API, {**data, **changes})


def test_add_list_read_and_move_a_contact_on(world, gaocheng_epi):
    client = login(gaocheng_epi)
    response = new_contact(client, world, world.shopper)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["degree"], body["status"], body["overdue"]) == ("close", "identified", False)
    page = client.get(API, {"case": world.case.pk}).json()
    assert [item["id"] for item in page["items"]] == [body["id"]]
    item = page["items"][0]
    assert item["masked_id"] != world.shopper.id_number
    assert world.shopper.phone not in json.dumps(page)
    detail = client.get(f"{API}/{body['id']}").json()
    assert detail["id_number"] == world.shopper.id_number
    assert AuditEvent.objects.filter(action="contact.view", object_id=str(body["id"])).exists()
    moved = post(client, f"{API}/{body['id']}/status", {"status": "controlled"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "controlled"
    again = post(client, f"{API}/{body['id']}/status", {"status": "notified"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "status"


def test_bad_input_is_422_naming_the_field(world, gaocheng_epi):
    client = login(gaocheng_epi)
    cases = [
        ({"id_number": "130109198501010000"}, "id_number"),
        ({"id_number": None}, "person_id"),
        ({"id_number": world.patient.id_number}, "person"),
        ({"last_exposure_at": local(10, 8).isoformat()}, "last_exposure_at"),
        ({"degree": "distant"}, "degree"),
    ]
    for changes, field in cases:
        response = new_contact(client, world, world.shopper, **changes)
        assert response.status_code == 422, changes
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert not Contact.objects.exists()


def test_other_districts_contacts_are_404_and_absent_from_lists(world, gaocheng_epi, changan_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    gaocheng_contact = Contact.objects.get(person=world.spouse)
    changan_contact = Contact.objects.get(person=world.changan_colleague)
    changan, gaocheng = login(changan_epi), login(gaocheng_epi)
    assert changan.get(f"{API}/{gaocheng_contact.pk}").status_code == 404
    assert (
        post(changan, f"{API}/{gaocheng_contact.pk}/status", {"status": "notified"}).status_code
        == 404
    )
    assert gaocheng.get(f"{API}/{changan_contact.pk}").status_code == 404
    seen_by_gaocheng = {i["id"] for i in gaocheng.get(API).json()["items"]}
    seen_by_changan = {i["id"] for i in changan.get(API).json()["items"]}
    assert changan_contact.pk not in seen_by_gaocheng and gaocheng_contact.pk in seen_by_gaocheng
    assert seen_by_changan == {changan_contact.pk}
    # Chang'an cannot add a contact to a Gaocheng case, nor read its candidates.
    assert new_contact(changan, world, world.shopper).status_code == 404
    candidate = Candidate.objects.first()
    assert changan.get(f"{API}/candidates", {"case": world.case.pk}).status_code == 404
    assert (
        post(changan, f"{API}/candidates/{candidate.pk}/confirm", {"degree": "close"}).status_code
        == 404
    )
    assert post(changan, f"{API}/candidates/{candidate.pk}/dismiss", {}).status_code == 404


def test_a_role_that_may_only_read_gets_403_on_changes(world, leader):
    client = login(leader)
    assert client.get(API).status_code == 200
    assert new_contact(client, world, world.shopper).status_code == 403


def test_candidates_are_listed_ranked_then_confirmed_or_dismissed(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    client = login(gaocheng_epi)
    ranked = client.get(f"{API}/candidates", {"case": world.case.pk}).json()
    assert [c["person_id"] for c in ranked] == [world.shopper.pk, world.changan_shopper.pk]
    assert ranked[0]["overlap_minutes"] == 60
    confirmed = post(client, f"{API}/candidates/{ranked[0]['id']}/confirm", {"degree": "general"})
    assert confirmed.status_code == 201
    assert (confirmed.json()["found_by"], confirmed.json()["degree"]) == ("copresence", "general")
    dismissed = post(client, f"{API}/candidates/{ranked[1]['id']}/dismiss", {})
    assert dismissed.json()["status"] == "dismissed"
    assert client.get(f"{API}/candidates", {"case": world.case.pk}).json() == []
    twice = post(client, f"{API}/candidates/{ranked[1]['id']}/dismiss", {})
    assert twice.status_code == 422
    bad = post(client, f"{API}/candidates/{ranked[0]['id']}/confirm", {"degree": "secondary"})
    assert bad.status_code == 422


def test_overdue_contacts_are_flagged_and_filtered(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)  # identified on the 21st: overdue now
    client = login(gaocheng_epi)
    overdue = client.get(API, {"overdue": "true", "degree": "close"}).json()["items"]
    assert {i["person_id"] for i in overdue} == {world.spouse.pk, world.child.pk}
    assert all(i["overdue"] for i in overdue)
