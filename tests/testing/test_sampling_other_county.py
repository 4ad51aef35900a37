"""A sampling site serves whoever stands at its table, as in the reference city: a Chang'an
table samples a Gaocheng close contact by the ID card they show, audited, and the answer
tells nothing of their quarantine or priority entry. By record id (`person_id`) a table
names only persons of its own jurisdiction: another county's id answers exactly as an
unknown id and writes nothing (docs/security.md "Persons of another county")."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control import codes
from epicommand.core.models import AuditEvent, Role
from epicommand.quarantine.models import Stay
from epicommand.testing.models import PriorityTest, Sample
from tests.tokens import live_token

from .clinics_world import list_entry
from .sampling_world import (  # noqa: F401  fixtures
    item,
    jianbei_site_fixture,
    new_tube,
    residents,
    round1_fixture,
)

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/testing/samples/batch"
OUTSIDE = "sample.register_outside_jurisdiction"


@pytest.fixture(name="changan_device")
def changan_device_fixture(city, city_office):
    """A Chang'an sampling device's token, answering in English."""
    token, secret = live_token(
        name="建北采样终端",
        role=Role.SAMPLING_STAFF,
        unit=city.changan_cdc,
        region=city.changan,
    )
    token.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    return token


@pytest.fixture(name="contact")
def contact_fixture(city):
    """A Gaocheng close contact under home monitoring, waiting on the priority list."""
    person = residents(city.xgz, 1, start=500)[0]
    Stay.objects.create(
        person=person,
        region=city.xgz,
        reason=Stay.Reason.CLOSE_CONTACT,
        status=Stay.Status.HOME_MONITORING,
        edition="9",
        started_at=timezone.now() - timedelta(days=2),
        planned_site_end=timezone.localdate() - timedelta(days=1),
        planned_home_end=timezone.localdate() + timedelta(days=5),
    )
    list_entry(
        person, PriorityTest.Reason.CLOSE_CONTACT, listed_at=timezone.now() - timedelta(hours=2)
    )
    return person


def post(device, site, entry):
    body = {"site_id": site.pk, "items": [entry]}
    return device.client.post(BATCH, json.dumps(body), content_type="application/json")


def by_person_id(client_id, person_id, round1):
    return {
        "client_id": client_id,
        "tube": new_tube(),
        "person_id": person_id,
        "sampled_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "round_id": round1.pk,
    }


def test_another_countys_person_id_answers_as_an_unknown_id_and_writes_nothing(
    changan_device, jianbei_site, round1, contact
):
    theirs = post(changan_device, jianbei_site, by_person_id("p-1", contact.pk, round1))
    unknown = post(changan_device, jianbei_site, by_person_id("p-2", contact.pk + 10_000, round1))
    assert theirs.status_code == unknown.status_code == 422
    assert theirs.json() == unknown.json()
    assert not Sample.objects.exists()
    assert PriorityTest.objects.get(person=contact).sampled_at is None


def test_a_person_of_another_county_is_sampled_by_id_card_audited_without_leaks(
    changan_device, jianbei_site, round1, contact
):
    tube = new_tube()
    answer = post(changan_device, jianbei_site, item("c-1", tube, contact, round_obj=round1))
    assert answer.status_code == 200, answer.content
    outcome = answer.json()["items"][0]
    # Pooled as anyone of a low-risk area: a 1:1 tube would tell the table of the quarantine.
    assert (outcome["capacity"], outcome["members"], outcome["closed"]) == (10, 1, False)
    assert Sample.objects.filter(person=contact, tube__barcode=tube).exists()
    assert PriorityTest.objects.get(person=contact).sampled_at is not None
    event = AuditEvent.objects.get(action=OUTSIDE, object_id=str(contact.pk))
    assert (event.actor_token, event.region_id, event.reason) == (
        changan_device,
        contact.region_id,
        "sampling",
    )


def test_a_resident_of_the_sites_own_county_is_not_an_outside_sample(
    changan_device, jianbei_site, round1, city
):
    local = residents(city.community, 1, start=700)[0]
    answer = post(changan_device, jianbei_site, item("l-1", new_tube(), local, round_obj=round1))
    assert answer.status_code == 200, answer.content
    assert not AuditEvent.objects.filter(action=OUTSIDE).exists()


def test_a_second_swab_of_another_countys_person_does_not_name_their_tube(
    changan_device, jianbei_site, round1, contact
):
    first = new_tube()
    done = post(changan_device, jianbei_site, item("s-1", first, contact, round_obj=round1))
    assert done.status_code == 200, done.content
    again = post(changan_device, jianbei_site, item("s-2", new_tube(), contact, round_obj=round1))
    assert again.status_code == 422
    assert first not in again.content.decode()
    assert "already sampled in this round" in again.content.decode()


def test_a_person_of_another_county_is_sampled_by_the_health_code_they_show(
    changan_device, jianbei_site, round1, contact
):
    shown = item("h-1", new_tube(), contact, round_obj=round1)
    del shown["id_number"]
    shown["health_code"] = codes.issue(contact, now=timezone.now() - timedelta(minutes=5))
    answer = post(changan_device, jianbei_site, shown)
    assert answer.status_code == 200, answer.content
    assert answer.json()["items"][0]["capacity"] == 10
    assert Sample.objects.filter(person=contact).exists()
    assert AuditEvent.objects.filter(action=OUTSIDE, object_id=str(contact.pk)).exists()
