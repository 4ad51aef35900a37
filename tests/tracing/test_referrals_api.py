"""/api/v1/referrals: each side reads what it received or sent, a third county gets 404;
the receiver acknowledges (the sender gets 403); referrals outside the city are created for
a case, refused naming the field when the destination is unknown, and exported in full
(audited)."""

import json
from datetime import timedelta

import pytest

from epicommand.core.models import AuditEvent, Region, Role
from epicommand.tracing.models import Referral
from tests.conftest import login

from .referrals_world import SENT_AT, referral_world  # noqa: F401


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


API = "/api/v1/referrals"


@pytest.fixture
def xinhua_epi(city, make_user):
    xinhua = Region.objects.create(
        code="130105", name="新华区", level=Region.Level.COUNTY, parent=city.sjz
    )
    return make_user("xinhua_epi", Role.EPIDEMIOLOGIST, xinhua)


def _outside(client, case, **changes):
    body = {
        "case_id": case.pk,
        "name": "赵强",
        "destination_code": "110105",
        "degree": "close",
        "last_exposure_at": (SENT_AT - timedelta(hours=20)).isoformat(),
        "id_number": "110105198803070010",
        "phone": "13600001111",
        "address": "北京市朝阳区",
    } | changes
    return client.post(API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_the_receiver_lists_it_masked_and_reads_it_in_full_audited(world, changan_person):
    referral = world.refer()
    client = login(world.changan_epi)
    listed = client.get(API, {"direction": "incoming"}).json()
    (item,) = listed["items"]
    assert (item["id"], item["region_code"], item["from_region_code"]) == (
        referral.pk,
        "130102",
        "130109",
    )
    assert item["masked_id"] == "130102********0022"
    assert item["masked_phone"] == "139****4321"
    assert "id_number" not in item and "phone" not in item
    assert item["overdue"] is True  # sent in 2021, long past its deadline
    full = client.get(f"{API}/{referral.pk}").json()
    assert (full["id_number"], full["phone"]) == (changan_person.id_number, changan_person.phone)
    assert AuditEvent.objects.filter(
        action="referral.view", actor=world.changan_epi, reason="api"
    ).exists()


def test_the_sender_sees_it_outgoing_but_not_the_contact_and_a_third_county_nothing(
    world, xinhua_epi
):
    referral = world.refer()
    gaocheng = login(world.gaocheng_epi)
    assert gaocheng.get(API, {"direction": "incoming"}).json()["items"] == []
    outgoing = gaocheng.get(API, {"direction": "outgoing"}).json()["items"]
    assert [r["id"] for r in outgoing] == [referral.pk]
    assert gaocheng.get(f"{API}/{referral.pk}").status_code == 200
    # The contact is Chang'an's record now: Gaocheng reads it through the referral only.
    assert gaocheng.get(f"/api/v1/contacts/{world.contact.pk}").status_code == 404
    assert login(world.changan_epi).get(f"/api/v1/contacts/{world.contact.pk}").status_code == 200

    xinhua = login(xinhua_epi)
    for direction in ("incoming", "outgoing", "escalated"):
        assert xinhua.get(API, {"direction": direction}).json()["items"] == []
    assert xinhua.get(f"{API}/{referral.pk}").status_code == 404
    assert xinhua.post(f"{API}/{referral.pk}/acknowledge").status_code == 404


def test_the_receiver_acknowledges_and_the_sender_may_not(world):
    referral = world.refer()
    refused = login(world.gaocheng_epi).post(
        f"{API}/{referral.pk}/acknowledge", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 403
    # The one gate names the receiving region the sender is not.
    expected = f"region {referral.region_id} is outside your jurisdiction"
    assert refused.json()["detail"] == expected

    client = login(world.changan_office)
    done = client.post(f"{API}/{referral.pk}/acknowledge")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["acknowledged_by"]) == (
        "acknowledged",
        "changan_office",
    )
    again = client.post(f"{API}/{referral.pk}/acknowledge")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "status"


def test_a_referral_outside_the_city_is_created_for_a_case(world):
    response = _outside(login(world.gaocheng_epi), world.case)
    assert response.status_code == 201
    body = response.json()
    assert (body["is_external"], body["destination"], body["region_code"]) == (
        True,
        "北京市 110105",
        "130109",
    )
    assert body["id_number"] == "110105198803070010"


def test_an_unknown_destination_is_422_naming_the_field(world):
    response = _outside(login(world.gaocheng_epi), world.case, destination_code="990101")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "destination_code", "message": "unknown region code 990101"}
    ]
    inside = _outside(login(world.gaocheng_epi), world.case, destination_code="130102001")
    assert inside.status_code == 422
    assert "inside our city" in inside.json()["errors"][0]["message"]
    assert not Referral.objects.exists()


def test_a_case_of_another_county_is_404_and_a_bad_degree_422(world):
    assert _outside(login(world.changan_epi), world.case).status_code == 404
    bad = _outside(login(world.gaocheng_epi), world.case, degree="cousin")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "degree"


def test_a_role_without_the_capability_is_403(world, make_user, city):
    referral = world.refer()
    worker = make_user("worker", Role.COMMUNITY_WORKER, city.changan)
    client = login(worker)
    assert client.get(API).status_code == 403
    assert client.post(f"{API}/{referral.pk}/acknowledge").status_code == 403
    assert client.get(f"{API}/export.csv").status_code == 403


def test_exports_hold_the_outgoing_external_referrals_in_full_and_are_audited(world):
    client = login(world.gaocheng_epi)
    _outside(client, world.case)
    world.refer()  # inside the city: not in the export
    csv_text = b"".join(client.get(f"{API}/export.csv").streaming_content).decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("referral_id,sent_at,acknowledge_by,from_region_code")
    assert len(lines) == 2 and "110105198803070010" in lines[1] and "13600001111" in lines[1]
    rows = json.loads(b"".join(client.get(f"{API}/export.json").streaming_content))
    assert [(r["name"], r["destination_code"], r["status"]) for r in rows] == [
        ("赵强", "110105", "sent")
    ]
    reasons = sorted(
        AuditEvent.objects.filter(action="referral.export").values_list("reason", flat=True)
    )
    assert reasons == ["1 rows as csv", "1 rows as json"]
    # Chang'an sent nothing outside the city.
    other = login(world.changan_epi).get(f"{API}/export.json")
    assert json.loads(b"".join(other.streaming_content)) == []
