from django.test import Client

from epicommand.core.models import ApiToken, AuditEvent, Role, hash_token
from epicommand.core.services import revoke_api_token
from tests.tokens import live_token


def issue(city, city_office):
    return live_token(
        name="Zengcun checkpoint",
        role=Role.CHECKPOINT_OFFICER,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )


def test_a_token_is_stored_only_as_its_hash(city, city_office):
    token, secret = issue(city, city_office)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.key_prefix, stored.name)
    assert stored.key_hash == hash_token(secret)


def test_a_valid_token_authenticates_and_a_revoked_one_does_not(city, city_office, gaocheng_person):
    token, secret = issue(city, city_office)
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/persons", **auth).status_code == 200
    revoke_api_token(city_office, token, reason="device lost")
    response = client.get("/api/v1/persons", **auth)
    assert response.status_code == 401
    assert "bearer token" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="token.revoke", reason="device lost").count() == 1


def test_a_guessed_token_with_a_real_prefix_is_refused(city, city_office):
    token, secret = issue(city, city_office)
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    response = Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401


def test_a_write_by_a_token_is_audited_under_the_token(city, city_office):
    token, secret = live_token(
        name="Gaocheng registry",
        role=Role.COUNTY_OFFICE,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    response = Client().post(
        "/api/v1/persons",
        {"name": "赵敏", "id_number": "130109199001011223", "region_code": city.xgz.code},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="person.create")
    assert (event.actor_token, event.actor_name) == (token, f"token:{token.key_prefix}")
