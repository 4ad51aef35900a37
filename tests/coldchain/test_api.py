"""The cold-chain API: an enterprise's token acts for its own enterprise and sees only its
own batches; a county sees only its enterprises; every route refuses a revoked token, an
enterprise or county not its own, and a bad body naming the field."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.coldchain.models import Batch, ChainEvent
from epicommand.coldchain.services import enterprises, movements
from epicommand.core.models import Role
from tests.tokens import live_token

from .chain_world import coded_batch, declare, pdf_file

API = "/api/v1/cold-chain"


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def tokens(chain, city_regulator, city, offices):
    made = {}
    for key in ("importer", "store", "market"):
        enterprise = getattr(chain, key)
        token, secret = live_token(
            name=key,
            role=Role.COLDCHAIN_ENTERPRISE,
            unit=offices[city.gaocheng.code],
            region=enterprise.region,
        )
        enterprises.bind_account(city_regulator, enterprise, token)
        made[key], made[f"{key}_token"] = secret, token
    return made


def post(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def test_an_importer_declares_attaches_codes_and_dispatches_by_api(chain, tokens):
    client = bearer(tokens["importer"])
    body = dict(
        product="冷冻虾",
        specification="2 kg",
        origin_country="Ecuador",
        batch_number="X1",
        container_number="MSKU1",
        seal_number="S1",
        customs_declaration="D1",
        quantity=30,
        weight_kg="60.00",
    )
    declared = post(client, "/batches", body)
    assert declared.status_code == 201, declared.content
    batch_id = declared.json()["id"]
    today = timezone.localdate().isoformat()
    for kind in ("customs", "nucleic_acid", "disinfection"):
        attached = client.post(
            f"{API}/batches/{batch_id}/certificates",
            {
                "kind": kind,
                "number": "N",
                "issued_on": today,
                "valid_until": today,
                "file": pdf_file(),
            },
        )
        assert attached.status_code == 201, attached.content
    coded = client.post(f"{API}/batches/{batch_id}/code")
    assert coded.status_code == 201
    code = coded.json()["trace_code"]
    sent = post(
        client,
        "/dispatches",
        {"trace_code": code, "to_credit_code": chain.store.credit_code, "quantity": 10},
    )
    assert sent.status_code == 201
    got = post(bearer(tokens["store"]), "/receipts", {"trace_code": code, "quantity": 10})
    assert got.status_code == 201
    document = client.get(f"{API}/batches/{batch_id}/epcis").json()
    assert document["type"] == "EPCISDocument" and document["schemaVersion"] == "2.0"
    steps = [e["bizStep"] for e in document["epcisBody"]["eventList"]]
    assert steps == ["commissioning", "shipping", "receiving"]


def test_a_certificate_that_is_no_pdf_or_image_is_refused_naming_file(chain, tokens):
    batch = declare(chain.importer_user)
    today = timezone.localdate().isoformat()
    response = bearer(tokens["importer"]).post(
        f"{API}/batches/{batch.pk}/certificates",
        {
            "kind": "customs",
            "number": "N",
            "issued_on": today,
            "valid_until": today,
            "file": pdf_file(content=b"<html>not a pdf</html>"),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_dispatching_more_than_held_is_422_naming_quantity(chain, tokens):
    _batch, code = coded_batch(chain.importer_user, quantity=5)
    response = post(
        bearer(tokens["importer"]),
        "/dispatches",
        {"trace_code": code, "to_credit_code": chain.store.credit_code, "quantity": 6},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["quantity"]
    assert not ChainEvent.objects.filter(biz_step="shipping").exists()


@pytest.mark.parametrize("code", ["CC1-00000000.forged", "garbage", "x" * 200])
def test_forged_or_unknown_codes_are_refused_naming_trace_code(chain, tokens, code):
    response = post(bearer(tokens["market"]), "/sales", {"trace_code": code, "quantity": 1})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "trace_code"


def test_an_enterprise_sees_only_its_own_batches(chain, tokens):
    own, _code = coded_batch(chain.importer_user, "OWN")
    store_client = bearer(tokens["store"])
    assert store_client.get(f"{API}/batches").json() == []
    assert store_client.get(f"{API}/batches/{own.pk}").status_code == 404
    assert store_client.get(f"{API}/batches/{own.pk}/epcis").status_code == 404
    listed = bearer(tokens["importer"]).get(f"{API}/batches").json()
    assert [b["id"] for b in listed] == [own.pk]
    enterprises_seen = store_client.get(f"{API}/enterprises").json()
    assert [e["id"] for e in enterprises_seen] == [chain.store.pk]


def test_an_enterprise_cannot_touch_another_enterprises_batch(chain, tokens):
    batch = declare(chain.importer_user)
    # The store holds nothing of it: its batch is not even visible (404).
    assert bearer(tokens["store"]).post(f"{API}/batches/{batch.pk}/code").status_code == 404


def test_a_county_sees_only_its_enterprises_and_their_batches(
    chain, gaocheng_regulator, changan_regulator
):
    batch, code = coded_batch(chain.importer_user)  # Gaocheng importer
    changan = Client()
    changan.force_login(changan_regulator)
    assert changan.get(f"{API}/batches/{batch.pk}").status_code == 404
    seen = {e["credit_code"] for e in changan.get(f"{API}/enterprises").json()}
    assert seen == {chain.store.credit_code, chain.shop.credit_code}
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=3
    )
    movements.receive(chain.store_user, code, quantity=3)
    assert changan.get(f"{API}/batches/{batch.pk}").status_code == 200  # now held in Chang'an
    gaocheng = Client()
    gaocheng.force_login(gaocheng_regulator)
    refused = post(
        gaocheng,
        "/enterprises",
        dict(
            name="x",
            credit_code="91130100MA0000009X",
            kind="retailer",
            region_code=chain.store.region_id,
            address="y",
        ),
    )
    assert refused.status_code == 403


def test_a_revoked_token_is_refused_on_every_route(chain, tokens):
    batch, _code = coded_batch(chain.importer_user)
    tokens["importer_token"].revoked_at = timezone.now()
    tokens["importer_token"].save()
    client = bearer(tokens["importer"])
    for method, path in (
        ("get", "/batches"),
        ("get", f"/batches/{batch.pk}"),
        ("get", "/enterprises"),
        ("get", f"/batches/{batch.pk}/epcis"),
        ("post", "/batches"),
        ("post", f"/batches/{batch.pk}/code"),
        ("post", "/dispatches"),
        ("post", "/receipts"),
        ("post", "/sales"),
        ("post", "/positive-samples"),
    ):
        assert getattr(client, method)(API + path).status_code == 401, path


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/batches", {"product": "x"}, "specification"),
        ("/dispatches", {"trace_code": "c", "quantity": 0, "to_credit_code": "a"}, "quantity"),
        ("/receipts", {"quantity": 1}, "trace_code"),
        ("/sales", {"trace_code": "c", "quantity": "many"}, "quantity"),
        ("/positive-samples", {"kind": "air"}, "kind"),
        ("/enterprises", {"name": "x", "kind": "bank"}, "kind"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(chain, tokens, path, body, field):
    response = post(bearer(tokens["importer"]), path, body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_an_enterprise_token_may_not_record_a_positive_sample(chain, tokens):
    response = post(
        bearer(tokens["market"]),
        "/positive-samples",
        {
            "kind": "environment",
            "enterprise_id": chain.market.pk,
            "sampled_at": timezone.now().isoformat(),
            "lab_report": "L1",
        },
    )
    assert response.status_code == 403


def test_the_city_office_records_a_positive_by_api(chain, city_office):
    _batch, code = coded_batch(chain.importer_user)
    client = Client()
    client.force_login(city_office)
    response = post(
        client,
        "/positive-samples",
        {
            "kind": "product",
            "enterprise_id": chain.importer.pk,
            "trace_code": code,
            "sampled_at": timezone.now().isoformat(),
            "lab_report": "L1",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["packages_sealed"] == 100
    assert Batch.objects.get().sealed_at is not None
