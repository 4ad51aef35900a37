"""Naming a contact who lives in another county: the investigator finds them by ID number
wherever they live (they are referred to their county), the look-up is audited, and the
answer shows them masked."""

import json

from django.urls import reverse

from epicommand.core.models import AuditEvent
from epicommand.tracing.models import Contact, Referral
from tests.conftest import login

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import local

API = "/api/v1/contacts"
OUTSIDE = "person.find_outside_jurisdiction"


def contact_body(world, person):
    return {
        "case_id": world.case.pk,
        "id_number": person.id_number,
        "degree": "close",
        "setting": "meal",
        "last_exposure_at": local(19, 12).isoformat(),
    }


def outside_lookups(person):
    return AuditEvent.objects.filter(action=OUTSIDE, object_id=str(person.pk))


def test_a_contact_of_another_county_is_named_by_api_audited_and_answered_masked(
    world, gaocheng_epi
):
    elsewhere = world.changan_shopper
    response = login(gaocheng_epi).post(
        API, json.dumps(contact_body(world, elsewhere)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person_id"] == elsewhere.pk
    assert (body["id_number"], body["phone"], body["address"]) == (
        elsewhere.masked_id,
        elsewhere.masked_phone,
        "",
    )
    assert elsewhere.id_number not in response.content.decode()
    event = outside_lookups(elsewhere).get()
    assert (event.actor, event.region_id, event.reason) == (
        gaocheng_epi,
        elsewhere.region_id,
        "contact naming",
    )
    assert Referral.objects.filter(contact_id=body["id"], region_id="130102").exists()


def test_a_contact_of_ones_own_county_is_answered_in_full_and_not_an_outside_look_up(
    world, gaocheng_epi
):
    response = login(gaocheng_epi).post(
        API, json.dumps(contact_body(world, world.shopper)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == world.shopper.id_number
    assert not outside_lookups(world.shopper).exists()


def test_a_contact_of_another_county_is_named_from_the_panel_and_audited(world, gaocheng_epi):
    elsewhere = world.changan_shopper
    url = reverse("tracing:case_contact_add", args=[world.case.pk])
    data = {**contact_body(world, elsewhere), "last_exposure_at": "2026-11-19T12:00"}
    response = login(gaocheng_epi).post(
        url, data, HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Contact.objects.filter(case=world.case, person=elsewhere).exists()
    assert outside_lookups(elsewhere).get().reason == "contact naming"
    assert elsewhere.id_number not in response.content.decode()


def test_a_contact_of_another_county_named_by_person_id_is_audited_and_answered_masked(
    world, gaocheng_epi
):
    elsewhere = world.changan_shopper
    body = {**contact_body(world, elsewhere), "person_id": elsewhere.pk}
    del body["id_number"]
    response = login(gaocheng_epi).post(API, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["person_id"], answer["id_number"], answer["phone"], answer["address"]) == (
        elsewhere.pk,
        elsewhere.masked_id,
        elsewhere.masked_phone,
        "",
    )
    assert elsewhere.id_number not in response.content.decode()
    event = outside_lookups(elsewhere).get()
    assert (event.actor, event.region_id, event.reason) == (
        gaocheng_epi,
        elsewhere.region_id,
        "contact naming",
    )
    assert Referral.objects.filter(contact_id=answer["id"], region_id="130102").exists()


def test_a_contact_of_ones_own_county_named_by_person_id_is_no_outside_look_up(world, gaocheng_epi):
    body = {**contact_body(world, world.shopper), "person_id": world.shopper.pk}
    del body["id_number"]
    response = login(gaocheng_epi).post(API, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == world.shopper.id_number
    assert not outside_lookups(world.shopper).exists()
