"""The sampling device API: a batch in, per-item outcomes out; 422 naming items; a tube
closed early; a tube read with its members masked; a person's samples, audited; scoping."""

import json

import pytest

from epicommand.core.models import AuditEvent
from epicommand.testing.models import Sample, Tube
from tests.conftest import login

from .sampling_world import (  # noqa: F401  fixtures
    changan_sampler_fixture,
    device_fixture,
    gaocheng_sampler_fixture,
    item,
    jianbei_site_fixture,
    new_tube,
    round1_fixture,
    villagers_fixture,
    zengcun_site_fixture,
)

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/testing/samples/batch"


def post(client, body):
    return client.post(BATCH, json.dumps(body), content_type="application/json")


def test_a_device_registers_a_batch_and_a_replay_says_so(device, zengcun_site, round1, villagers):
    tube = new_tube()
    body = {
        "site_id": zengcun_site.pk,
        "items": [
            item(f"api-{n}", tube, p, round_obj=round1) for n, p in enumerate(villagers[:10])
        ],
    }
    answer = post(device.client, body)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["accepted"], data["replayed"], data["tubes_closed"]) == (10, 0, [tube])
    assert data["items"][9] == {
        "client_id": "api-9",
        "status": "accepted",
        "tube": tube,
        "members": 10,
        "capacity": 10,
        "closed": True,
    }
    again = post(device.client, body).json()
    assert (again["accepted"], again["replayed"]) == (0, 10)
    assert {i["status"] for i in again["items"]} == {"replayed"}
    assert Sample.objects.get(client_id="api-0").recorded_by_token == device


def test_a_bad_batch_is_422_naming_each_item_and_nothing_is_written(
    device, zengcun_site, villagers
):
    body = {
        "site_id": zengcun_site.pk,
        "items": [
            item("bad-0", new_tube(), villagers[0]),
            {"client_id": "bad-1", "tube": "123", "id_number": villagers[1].id_number},
            "not an object",
        ],
    }
    answer = post(device.client, body)
    assert answer.status_code == 422
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields == ["items[1].tube", "items[2]"]
    assert not Sample.objects.exists()


def test_a_site_of_another_district_is_404(device, jianbei_site, villagers):
    answer = post(
        device.client, {"site_id": jianbei_site.pk, "items": [item("x", new_tube(), villagers[0])]}
    )
    assert answer.status_code == 404
    assert not Sample.objects.exists()


def test_a_role_that_does_not_sample_is_403(gaocheng_epi, zengcun_site, villagers):
    answer = post(
        login(gaocheng_epi),
        {"site_id": zengcun_site.pk, "items": [item("x", new_tube(), villagers[0])]},
    )
    assert answer.status_code == 403


def test_a_tube_is_read_masked_and_closed_early(
    gaocheng_sampler, changan_sampler, device, zengcun_site, villagers
):
    tube = new_tube()
    post(device.client, {"site_id": zengcun_site.pk, "items": [item("m-0", tube, villagers[0])]})
    client = login(gaocheng_sampler)
    read = client.get(f"/api/v1/testing/samples/tubes/{tube}")
    assert read.status_code == 200
    data = read.json()
    assert (data["members"], data["capacity"], data["status"]) == (1, 10, "open")
    member = data["listed"][0]
    assert member["id_number"] != villagers[0].id_number and "*" in member["id_number"]
    assert (
        member["name"]
        == villagers[0].name[0] + "*" * (len(villagers[0].name) - 2) + villagers[0].name[-1]
    )

    assert login(changan_sampler).get(f"/api/v1/testing/samples/tubes/{tube}").status_code == 404
    assert (
        login(changan_sampler).post(f"/api/v1/testing/samples/tubes/{tube}/close").status_code
        == 404
    )

    closed = client.post(f"/api/v1/testing/samples/tubes/{tube}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert Tube.objects.get(barcode=tube).status == Tube.Status.CLOSED
    again = client.post(f"/api/v1/testing/samples/tubes/{tube}/close", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 422
    assert "already closed" in again.json()["errors"][0]["message"]


def test_a_persons_samples_are_looked_up_in_scope_and_audited(
    gaocheng_sampler, changan_sampler, device, zengcun_site, villagers
):
    tube = new_tube()
    post(device.client, {"site_id": zengcun_site.pk, "items": [item("p-0", tube, villagers[0])]})
    url = f"/api/v1/testing/samples?person_id={villagers[0].pk}"
    answer = login(gaocheng_sampler).get(url)
    assert answer.status_code == 200
    assert [(s["client_id"], s["tube"]) for s in answer.json()["items"]] == [("p-0", tube)]
    assert AuditEvent.objects.filter(
        action="sample.view_person", object_id=str(villagers[0].pk)
    ).exists()
    assert login(changan_sampler).get(url).status_code == 404


def test_the_openapi_document_declares_the_errors(gaocheng_sampler):
    schema = login(gaocheng_sampler).get("/api/v1/openapi.json").json()
    batch = schema["paths"][BATCH]["post"]["responses"]
    assert {"200", "404", "422"} <= set(batch)
