"""The one contract of device and lab batches (docs/api-guide.md "Device and lab batches"):
each of the five batch APIs, called with an API token as a device or a lab calls it, gets
the same bad input and answers alike: 422 naming the item's field as `items[1].field`,
the counts, and nothing written; a replayed batch changes nothing and says so."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control.models import Passage, Scan
from epicommand.core.models import Role
from epicommand.quarantine.models import Stay
from epicommand.testing.models import Sample, Tube
from tests.control import scan_world
from tests.control.checkpoint_world import checkpoint_world
from tests.control.scan_world import market_fixture  # noqa: F401  fixture
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    site_manager_fixture,
)
from tests.testing import sampling_world
from tests.testing.labs_world import (  # noqa: F401  fixtures
    closed_tubes,
    deliver,
    gaocheng_lab_fixture,
    gaocheng_lab_staff_fixture,
    gaocheng_sampler_fixture,
    lab_token_fixture,
    residents,
    row,
    zengcun_site_fixture,
)
from tests.tokens import live_token

pytestmark = pytest.mark.django_db


@dataclass
class BatchApi:
    """One batch API as the table drives it."""

    url: str
    client: Client
    good: Callable[[int], dict]  # a valid item, client id f"k-{n}"
    required: str  # a field every item must have, besides its client id
    time_field: str
    stored: Callable[[], int]  # what the API writes, counted
    site: dict  # the batch's own fields besides `items`

    def post(self, items):
        body = {**self.site, "items": items}
        return self.client.post(self.url, body, content_type="application/json")


def _token_client(city_office, role, unit, region) -> Client:
    _, secret = live_token(name="设备", role=role, unit=unit, region=region)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def _scans(get) -> BatchApi:
    city, market = get("city"), get("market")
    persons = [get("gaocheng_person"), get("changan_person")]
    client = _token_client(
        get("city_office"), Role.COMMUNITY_WORKER, city.gaocheng_cdc, city.gaocheng
    )
    return BatchApi(
        "/api/v1/scans/batch",
        client,
        lambda n: scan_world.item(f"k-{n}", market, persons[n % 2]),
        "place_code",
        "scanned_at",
        Scan.objects.count,
        {},
    )


def _passages(get) -> BatchApi:
    city = get("city")
    world = checkpoint_world(city, get("make_user"), get("city_office"))
    persons = [world.person(name=f"旅客{n}") for n in range(2)]
    client = _token_client(
        world.gaocheng_office, Role.CHECKPOINT_OFFICER, world.police, city.gaocheng
    )

    def good(n):
        return {
            "client_id": f"k-{n}",
            "checkpoint_id": world.checkpoint.pk,
            "id_number": persons[n % 2].id_number,
            "temperature": 36.6,
            "direction": "out",
            "passed_at": (timezone.now() - timedelta(minutes=n + 1)).isoformat(),
        }

    return BatchApi(
        "/api/v1/checkpoints/passages/batch",
        client,
        good,
        "direction",
        "passed_at",
        Passage.objects.count,
        {},
    )


def _samples(get) -> BatchApi:
    city, site = get("city"), get("zengcun_site")
    persons = residents(city.xgz, 2)
    tube = sampling_world.new_tube()
    client = _token_client(
        get("city_office"), Role.SAMPLING_STAFF, city.gaocheng_cdc, city.gaocheng
    )
    return BatchApi(
        "/api/v1/testing/samples/batch",
        client,
        lambda n: sampling_world.item(f"k-{n}", tube, persons[n % 2]),
        "tube",
        "sampled_at",
        Sample.objects.count,
        {"site_id": site.pk},
    )


def _stays(get) -> BatchApi:
    city, camp = get("city"), get("camp")
    persons = [make_person(city.xgz) for _ in range(2)]
    client = _token_client(
        get("city_office"), Role.QUARANTINE_STAFF, get("gaocheng_health"), city.gaocheng
    )
    return BatchApi(
        "/api/v1/quarantine/stays/batch",
        client,
        lambda n: {
            "client_id": f"k-{n}",
            "person_id": persons[n % 2].pk,
            "reason": "close_contact",
        },
        "reason",
        "arrived_at",
        Stay.objects.count,
        {"site_id": camp.pk},
    )


def _lab_results(get) -> BatchApi:
    city, site, lab = get("city"), get("zengcun_site"), get("gaocheng_lab")
    tubes = closed_tubes(site, residents(city.xgz, 20))
    deliver(get("gaocheng_sampler"), site, tubes, get("gaocheng_lab_staff"), lab)
    return BatchApi(
        "/api/v1/testing/labs/results",
        get("lab_token").client,
        lambda n: row(tubes[n % 2], client_id=f"k-{n}"),
        "result",
        "tested_at",
        Tube.objects.filter(status=Tube.Status.RESULTED).count,
        {"lab_id": lab.pk},
    )


APIS = {
    "scans": _scans,
    "passages": _passages,
    "samples": _samples,
    "stays": _stays,
    "lab results": _lab_results,
}


@pytest.fixture(params=list(APIS))
def api(request) -> BatchApi:
    return APIS[request.param](request.getfixturevalue)


def _without(item: dict, name: str) -> dict:
    return {k: v for k, v in item.items() if k != name}


# (what is wrong, the bad item made from a good one, the field named, words of the reason)
BAD_ITEMS = {
    "missing client id": (lambda api, it: _without(it, "client_id"), "client_id", "required"),
    "missing field": (lambda api, it: _without(it, api.required), None, ""),
    "bad type": (
        lambda api, it: it | {api.time_field: [2021, 1, 12]},
        "time",
        "is not a date and time (ISO 8601)",
    ),
    "time in the future": (
        lambda api, it: it | {api.time_field: (timezone.now() + timedelta(minutes=10)).isoformat()},
        "time",
        "is in the future",
    ),
    "time too old": (
        lambda api, it: it | {api.time_field: (timezone.now() - timedelta(days=31)).isoformat()},
        "time",
        "days ago",
    ),
    "duplicate client id": (
        lambda api, it: it | {"client_id": "k-0"},
        "client_id",
        "repeats the client id of items[0]",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ITEMS))
def test_a_bad_item_refuses_the_batch_with_the_one_error_shape(api, case):
    change, field, words = BAD_ITEMS[case]
    field = {None: api.required, "time": api.time_field}.get(field, field)
    before = api.stored()

    response = api.post([api.good(0), change(api, api.good(1))])

    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"detail", "errors", "accepted", "replayed", "rejected"}
    assert (body["accepted"], body["replayed"], body["rejected"]) == (0, 0, 1)
    assert [e["field"] for e in body["errors"]] == [f"items[1].{field}"], body["errors"]
    assert words in body["errors"][0]["message"]
    assert "nothing was recorded" in body["detail"]
    assert api.stored() == before


def test_a_batch_of_5001_items_is_refused_whole(api):
    one = api.good(0)
    response = api.post([one | {"client_id": f"x-{n}"} for n in range(5001)])

    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "items", "message": "a batch holds at most 5000 items"}]
    assert body["detail"] == "a batch holds at most 5000 items; send the rest in another"
    assert (body["accepted"], body["rejected"]) == (0, 0)
    assert api.stored() == 0


def test_a_replayed_batch_changes_nothing_and_says_so(api):
    items = [api.good(0), api.good(1)]
    first = api.post(items)
    assert first.status_code == 200, first.content
    assert (first.json()["accepted"], first.json()["replayed"]) == (2, 0)
    stored = api.stored()

    again = api.post(items)

    assert again.status_code == 200, again.content
    body = again.json()
    assert (body["accepted"], body["replayed"], body["rejected"], body["errors"]) == (0, 2, 0, [])
    assert [(i["client_id"], i["status"]) for i in body["items"]] == [
        ("k-0", "replayed"),
        ("k-1", "replayed"),
    ]
    assert api.stored() == stored
