"""A device's batch of passages through the API: validated whole (every bad item named,
nothing of the batch written), replays change nothing and say so, fevers and counters
follow as for a single passage, one audit line per batch."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control import codes
from epicommand.control.models import Colour, HealthCode, Passage
from epicommand.core.models import ApiToken, AuditEvent, Counter, Role
from epicommand.testing.models import PriorityTest
from tests.tokens import live_token

from .checkpoint_world import checkpoint_world

URL = "/api/v1/checkpoints/passages/batch"


@pytest.fixture
def world(city, make_user, city_office):
    return checkpoint_world(city, make_user, city_office)


@pytest.fixture
def device(world, city):
    """A checkpoint device of Gaocheng's police: a bearer token."""
    _, secret = live_token(
        name="G307 测温一体机",
        role=Role.CHECKPOINT_OFFICER,
        unit=world.police,
        region=city.gaocheng,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def item(world, person, n, **fields):
    body = {
        "client_id": f"g307-{n:06d}",
        "checkpoint_id": world.checkpoint.pk,
        "id_number": person.id_number,
        "temperature": 36.6,
        "direction": "out",
        "passed_at": (timezone.now() - timedelta(minutes=n)).isoformat(),
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def post(client, items):
    return client.post(URL, {"items": items}, content_type="application/json")


def test_a_batch_is_recorded_with_each_items_verdict(world, device, gaocheng_person):
    others = [world.person(name=f"旅客{n}") for n in range(3)]
    items = [item(world, p, n) for n, p in enumerate(others)]
    items.append(item(world, gaocheng_person, 3, temperature=38.4))
    response = post(device, items)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["replayed"]) == (4, 0)
    assert [i["verdict"] for i in body["items"]] == ["pass", "pass", "pass", "deny"]
    assert body["items"][3]["reasons"] == ["fever 38.4 °C"]
    assert Passage.objects.count() == 4
    stored = Passage.objects.get(client_id="g307-000003")
    assert stored.recorded_by_token == ApiToken.objects.get()
    assert HealthCode.objects.get(person=gaocheng_person).colour == Colour.YELLOW
    assert PriorityTest.objects.get().person == gaocheng_person
    assert AuditEvent.objects.filter(action="passage.batch").count() == 1


def test_a_replayed_batch_adds_nothing_and_says_so_per_item(world, device, gaocheng_person):
    items = [item(world, gaocheng_person, 0, temperature=38.0), item(world, world.person(), 1)]
    assert post(device, items).status_code == 200
    before = (
        Passage.objects.count(),
        PriorityTest.objects.count(),
        sorted(Counter.objects.values_list("metric", "region_id", "value")),
    )
    again = post(device, items)
    assert again.status_code == 200
    body = again.json()
    assert (body["accepted"], body["replayed"]) == (0, 2)
    assert all(i["status"] == "replayed" for i in body["items"])
    assert body["items"][0]["verdict"] == "deny"
    after = (
        Passage.objects.count(),
        PriorityTest.objects.count(),
        sorted(Counter.objects.values_list("metric", "region_id", "value")),
    )
    assert after == before
    assert AuditEvent.objects.filter(action="passage.batch").count() == 1


def test_a_batch_part_replayed_records_only_the_new_items(world, device, gaocheng_person):
    first = item(world, gaocheng_person, 0)
    post(device, [first])
    response = post(device, [first, item(world, world.person(), 1)])
    assert [i["status"] for i in response.json()["items"]] == ["replayed", "accepted"]
    assert Passage.objects.count() == 2


def bad_cases(world, person):
    """(what is wrong, the item, the field named, a word of the message)."""
    now = timezone.now()
    return [
        ("unknown checkpoint", {"checkpoint_id": 999999}, "checkpoint_id", "unknown"),
        (
            "another district's checkpoint",
            {"checkpoint_id": world.changan_checkpoint.pk},
            "checkpoint_id",
            "unknown",
        ),
        ("unknown person", {"id_number": "130109198001011235"}, "id_number", "no person"),
        ("not an ID number", {"id_number": "12345"}, "id_number", "not an ID number"),
        ("forged code", {"id_number": None, "health_code": "HC1:" + "A" * 138}, "health_code", ""),
        (
            "expired code",
            {
                "id_number": None,
                "health_code": codes.issue(person, now=now - timedelta(days=1)),
            },
            "health_code",
            "expired",
        ),
        ("too cold", {"temperature": 33.9}, "temperature", "between"),
        ("too hot", {"temperature": 43.5}, "temperature", "between"),
        ("a word", {"temperature": "hot"}, "temperature", "number"),
        (
            "in the future",
            {"passed_at": (now + timedelta(minutes=10)).isoformat()},
            "passed_at",
            "future",
        ),
        (
            "too old",
            {"passed_at": (now - timedelta(days=31)).isoformat()},
            "passed_at",
            "30 days",
        ),
        ("not a time", {"passed_at": "yesterday"}, "passed_at", "ISO 8601"),
        ("no direction", {"direction": "up"}, "direction", "in or out"),
        ("no client id", {"client_id": ""}, "client_id", "required"),
        ("nobody", {"id_number": None}, "id_number", "required"),
    ]


@pytest.mark.parametrize("case", range(15))
def test_every_bad_item_is_refused_by_name_and_nothing_of_the_batch_is_written(
    world, device, gaocheng_person, case
):
    what, change, field, word = bad_cases(world, gaocheng_person)[case]
    good = [item(world, world.person(name=f"好{n}"), n) for n in range(3)]
    bad = item(world, gaocheng_person, 3)
    bad.update(change)
    bad = {k: v for k, v in bad.items() if v is not None}
    response = post(device, [*good[:2], bad, good[2]])
    assert response.status_code == 422, what
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [f"items[2].{field}"], (what, errors)
    assert word in errors[0]["message"], (what, errors)
    assert not Passage.objects.exists()
    assert not Counter.objects.filter(metric="passages").exists()


def test_duplicate_client_ids_in_a_batch_are_refused(world, device, gaocheng_person):
    one = item(world, gaocheng_person, 0)
    response = post(device, [one, item(world, world.person(), 1), dict(one)])
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "items[2].client_id", "message": "repeats the client id of items[0]"}
    ]
    assert not Passage.objects.exists()


def test_every_error_of_a_batch_is_listed_in_item_order(world, device, gaocheng_person):
    items = [
        item(world, gaocheng_person, 0, temperature=50),
        item(world, gaocheng_person, 1, direction="sideways", checkpoint_id=424242),
        "not an object",
    ]
    response = post(device, items)
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "items[0].temperature",
        "items[1].checkpoint_id",
        "items[1].direction",
        "items[2]",
    ]


def test_a_batch_over_five_thousand_or_empty_is_refused(world, device, gaocheng_person):
    one = item(world, gaocheng_person, 0)
    too_many = [dict(one, client_id=f"x{n}") for n in range(5001)]
    assert post(device, too_many).status_code == 422
    empty = post(device, [])
    assert empty.status_code == 422
    assert empty.json()["errors"] == [
        {"field": "items", "message": "send a list of 1 to 5000 items"}
    ]
    assert not Passage.objects.exists()


def test_huge_numbers_are_refused_cleanly(world, device, gaocheng_person):
    response = post(
        device,
        [item(world, gaocheng_person, 0, checkpoint_id=10**30, vehicle_people=10**30)],
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"items[0].checkpoint_id", "items[0].vehicle_people"}


def test_five_thousand_passages_in_one_batch(world, device, gaocheng_person):
    people = [world.person(name=f"旅客{n}") for n in range(50)]
    items = [
        item(world, people[n % 50], n, client_id=f"big-{n}", passed_at=timezone.now().isoformat())
        for n in range(5000)
    ]
    response = post(device, items)
    assert response.status_code == 200
    assert response.json()["accepted"] == 5000
    assert Passage.objects.count() == 5000
