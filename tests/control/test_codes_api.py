"""/api/v1/health-codes: verifying a QR (colour only, no personal data), the public key for
offline checks, and a person's code (scoped, audited)."""

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import Client
from django.utils import timezone

from epicommand.control import codes
from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent, Role
from tests.tokens import live_token

API = "/api/v1/health-codes"


def token_client(city_office, role, unit, region) -> Client:
    _, secret = live_token(name=role, role=role, unit=unit, region=region)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def checkpoint_device(city, city_office):
    return token_client(city_office, Role.CHECKPOINT_OFFICER, city.changan_cdc, city.changan)


@pytest.fixture
def gaocheng_api(city, city_office):
    return token_client(city_office, Role.EPIDEMIOLOGIST, city.gaocheng_cdc, city.gaocheng)


@pytest.fixture
def changan_api(city, city_office):
    return token_client(city_office, Role.EPIDEMIOLOGIST, city.changan_cdc, city.changan)


def verify(client, token):
    return client.post(f"{API}/verify", {"token": token}, content_type="application/json")


def test_a_checkpoint_anywhere_verifies_a_code_and_learns_only_its_colour(
    gaocheng_person, checkpoint_device
):
    token = codes.issue(gaocheng_person)
    response = verify(checkpoint_device, token)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "valid": True,
        "colour": "green",
        "expires_at": body["expires_at"],
        "revoked": False,
        "reason": None,
        "message": None,
    }
    assert body["expires_at"] == codes.verify(token).expires_at.isoformat().replace("+00:00", "Z")
    assert gaocheng_person.name not in response.content.decode()


def test_forged_and_expired_codes_are_answered_not_valid_with_the_reason(
    gaocheng_person, checkpoint_device, settings
):
    token = codes.issue(gaocheng_person)
    forged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    body = verify(checkpoint_device, forged).json()
    assert (body["valid"], body["colour"], body["reason"]) == (False, None, "forged")
    assert body["message"]
    stale = codes.issue(gaocheng_person, now=timezone.now() - timedelta(minutes=6))
    assert verify(checkpoint_device, stale).json()["reason"] == "expired"
    assert verify(checkpoint_device, "not a code").json()["reason"] == "malformed"


def test_a_code_shown_before_a_colour_change_is_revoked(gaocheng_person, checkpoint_device):
    token = codes.issue(gaocheng_person)
    healthcode.record_fact(
        gaocheng_person,
        FactKind.FEVER,
        started_at=timezone.now(),
        source="passage 1",
        source_key="fever:1",
    )
    body = verify(checkpoint_device, token).json()
    assert (body["valid"], body["colour"], body["revoked"], body["reason"]) == (
        True,
        "green",
        True,
        "revoked",
    )


def test_verifying_needs_a_role_that_works_a_door(gaocheng_person, city, city_office):
    token = codes.issue(gaocheng_person)
    lab = token_client(city_office, Role.LAB_STAFF, city.gaocheng_cdc, city.gaocheng)
    assert verify(lab, token).status_code == 403
    assert verify(Client(), token).status_code == 401


def test_a_bad_verify_request_names_the_field(checkpoint_device):
    too_long = checkpoint_device.post(
        f"{API}/verify", {"token": "HC1:" + "A" * 500}, content_type="application/json"
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "token"
    missing = checkpoint_device.post(f"{API}/verify", {}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "token"


def test_the_public_key_is_public_and_verifies_a_code_offline(gaocheng_person, db):
    response = Client().get(f"{API}/public-key")
    assert response.status_code == 200
    body = response.json()
    assert body["algorithm"] == "Ed25519"
    assert body["hex"] == codes.public_key_hex()
    assert body["token_prefix"] == "HC1:"
    # A device with only the PEM checks a token's signature itself.
    key = serialization.load_pem_public_key(body["pem"].encode())
    token = codes.issue(gaocheng_person)
    raw = base64.b32decode(token[4:] + "=" * (-len(token[4:]) % 8))
    key.verify(raw[22:], raw[:22])


def test_a_persons_code_is_read_with_its_reasons_in_words_and_audited(
    gaocheng_person, gaocheng_api, settings
):
    settings.PROTOCOL_EDITION = "9"
    at = timezone.now() - timedelta(hours=1)
    healthcode.record_fact(
        gaocheng_person,
        FactKind.HIGH_RISK_VISIT,
        started_at=at,
        ended_at=at,
        source="scan 2",
        source_key="scan:2",
        detail="增村镇",
    )
    response = gaocheng_api.get(f"{API}/persons/{gaocheng_person.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert (body["person_id"], body["colour"], body["version"]) == (gaocheng_person.pk, "red", 1)
    (reason,) = body["reasons"]
    assert (reason["kind"], reason["colour"], reason["detail"]) == (
        "high_risk_visit",
        "red",
        "增村镇",
    )
    assert reason["text"].startswith("Was in a high-risk area (增村镇) — red until")
    assert [t["colour"] for t in reason["then"]] == ["yellow"]
    assert body["valid_until"] is not None
    (event,) = AuditEvent.objects.filter(action="healthcode.view")
    assert event.actor_token is not None
    assert (event.object_id, event.reason) == (str(gaocheng_person.pk), "api")


def test_a_person_with_nothing_on_record_reads_green(gaocheng_person, gaocheng_api):
    body = gaocheng_api.get(f"{API}/persons/{gaocheng_person.pk}").json()
    assert (body["colour"], body["reasons"], body["version"], body["changed_at"]) == (
        "green",
        [],
        0,
        None,
    )


def test_another_districts_person_is_not_found(gaocheng_person, changan_api):
    response = changan_api.get(f"{API}/persons/{gaocheng_person.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == "not found"
    assert not AuditEvent.objects.filter(action="healthcode.view").exists()


def test_huge_and_negative_person_ids_are_refused_cleanly(gaocheng_api):
    assert gaocheng_api.get(f"{API}/persons/{2**70}").status_code == 422
    assert gaocheng_api.get(f"{API}/persons/-1").status_code == 422


def test_reading_a_persons_code_needs_the_capability(gaocheng_person, city, city_office):
    lab = token_client(city_office, Role.LAB_STAFF, city.gaocheng_cdc, city.gaocheng)
    assert lab.get(f"{API}/persons/{gaocheng_person.pk}").status_code == 403
