"""A device's batch of place-code scans: recorded whole or not at all, every bad item
named, a replay adding nothing, the counters equal to a recount."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control import codes
from epicommand.control.models import Colour, FactKind, Scan
from epicommand.control.services import healthcode
from epicommand.control.services import scans as services
from epicommand.core import counters, intake
from epicommand.core.models import AuditEvent, Counter
from epicommand.core.recount import recount
from epicommand.people.models import Person
from epicommand.places.codes import place_code
from epicommand.places.services import rotate_place_code

from .scan_world import device_fixture, item, market_fixture, school_fixture  # noqa: F401  fixtures

pytestmark = pytest.mark.django_db


def _scan_counters() -> set[tuple[str, object, int]]:
    return set(Counter.objects.filter(metric="scans").values_list("region_id", "day", "value"))


def _today_scans(region_code: str) -> int:
    day = timezone.localdate()
    return counters.daily_values([region_code], ["scans"], day, day).get(
        (region_code, "scans", day), 0
    )


def test_a_batch_is_recorded_with_the_colour_each_person_shows(
    device, market, gaocheng_person, changan_person
):
    healthcode.record_fact(
        gaocheng_person,
        FactKind.FEVER,
        started_at=timezone.now() - timedelta(days=1),
        source="test",
        source_key="fever:1",
    )
    response = device.post(
        [item("d1-0001", market, gaocheng_person), item("d1-0002", market, changan_person)]
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "accepted": 2,
        "replayed": 0,
        "rejected": 0,
        "errors": [],
        "items": [
            {"client_id": "d1-0001", "status": "accepted"},
            {"client_id": "d1-0002", "status": "accepted"},
        ],
    }
    stored = {s.client_id: s for s in Scan.objects.all()}
    assert stored["d1-0001"].colour == Colour.YELLOW
    assert stored["d1-0002"].colour == Colour.GREEN
    # A Gaocheng device may scan a Chang'an resident: the scan is filed at their home.
    assert stored["d1-0002"].region_id == changan_person.region_id
    assert {s.venue_id for s in stored.values()} == {market.pk}
    assert _today_scans("130109") == 1 and _today_scans("130102") == 1
    assert _today_scans("130100") == 2
    [event] = AuditEvent.objects.filter(action="scan.record_batch")
    assert event.actor_token == device.token
    assert "2 recorded" in event.reason


def test_persons_are_found_by_passport_and_by_health_code(device, market, changan_person, city):
    visitor = Person.objects.create(
        name="John Smith",
        sex="M",
        birth_date="1985-02-01",
        passport_number="E12345678",
        nationality="GBR",
        region=city.community,
    )
    token = codes.issue(changan_person)
    response = device.post(
        [
            item("p-1", market, visitor, id_number=None, passport_number="e12345678"),
            item(
                "p-2",
                market,
                changan_person,
                ago=timedelta(seconds=30),
                id_number=None,
                health_code=token,
            ),
        ]
    )
    assert response.status_code == 200, response.content
    assert dict(Scan.objects.values_list("client_id", "person_id")) == {
        "p-1": visitor.pk,
        "p-2": changan_person.pk,
    }


def _forged_health_code(person):
    token = codes.issue(person)
    return token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")


def _expired_health_code(person):
    # Issued two hours before the scan: long past the QR's lifetime when it was shown.
    return codes.issue(person, now=timezone.now() - timedelta(hours=3))


BAD_ITEMS = {
    "unknown place code": (lambda w: {"place_code": "42.made-up:signature"}, "place_code"),
    "forged place code": (
        lambda w: {"place_code": place_code(w.market)[:-1] + "x"},
        "place_code",
    ),
    "revoked place code": (lambda w: {"place_code": w.revoked_code}, "place_code"),
    "forged health code": (
        lambda w: {"id_number": None, "health_code": _forged_health_code(w.person)},
        "health_code",
    ),
    "expired health code": (
        lambda w: {"id_number": None, "health_code": _expired_health_code(w.person)},
        "health_code",
    ),
    "unknown person": (lambda w: {"id_number": "130109198001010019"}, "id_number"),
    "no person given": (lambda w: {"id_number": None}, "id_number"),
    "time in the future": (
        lambda w: {"scanned_at": (timezone.now() + timedelta(minutes=10)).isoformat()},
        "scanned_at",
    ),
    "time over 30 days old": (
        lambda w: {"scanned_at": (timezone.now() - timedelta(days=31)).isoformat()},
        "scanned_at",
    ),
    "time that is no time": (lambda w: {"scanned_at": "yesterday"}, "scanned_at"),
    "duplicate client id": (lambda w: {"client_id": "c-0"}, "client_id"),
    "unknown method": (lambda w: {"method": "telepathy"}, "method"),
}


@pytest.fixture
def world(market, school, gaocheng_person, city_office):
    school_code = place_code(school)
    rotate_place_code(city_office, school, reason="poster defaced")
    return type(
        "World", (), {"market": market, "person": gaocheng_person, "revoked_code": school_code}
    )


@pytest.mark.parametrize("case", BAD_ITEMS, ids=list(BAD_ITEMS))
def test_a_bad_item_refuses_the_whole_batch_naming_it(device, world, case):
    changes, field = BAD_ITEMS[case]
    items = [item(f"c-{n}", world.market, world.person) for n in range(3)]
    items[1] |= changes(world)
    audit_before = AuditEvent.objects.count()

    response = device.post(items)

    assert response.status_code == 422, response.content
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [f"items[1].{field}"]
    assert body["errors"][0]["message"]
    assert "nothing was recorded" in body["detail"]
    assert not Scan.objects.exists()
    assert not Counter.objects.filter(metric="scans").exists()
    assert AuditEvent.objects.count() == audit_before


def test_every_bad_item_is_listed_in_the_batch_order(device, market, gaocheng_person):
    items = [item(f"e-{n}", market, gaocheng_person) for n in range(5)]
    items[0]["place_code"] = "nonsense"
    items[3]["scanned_at"] = (timezone.now() + timedelta(days=1)).isoformat()
    items[3]["id_number"] = "110101190001011234"
    items[4]["client_id"] = "e-0"
    response = device.post(items)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "items[0].place_code",
        "items[3].id_number",
        "items[3].scanned_at",
        "items[4].client_id",
    ]
    assert not Scan.objects.exists()


def test_a_batch_over_5000_items_is_refused(device, market, gaocheng_person):
    one = item("x", market, gaocheng_person)
    items = [one | {"client_id": f"x-{n}"} for n in range(services.MAX_BATCH + 1)]
    response = device.post(items)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("items")
    assert not Scan.objects.exists()


def test_the_service_names_fields_of_items_that_are_not_even_objects(gaocheng_person, device):
    with pytest.raises(intake.BatchRefused) as refused:
        services.record_scans(device.token, ["not an object", {"client_id": 7}])
    paths = [e.path for e in refused.value.errors]
    assert paths[0] == "items[0]"
    assert {"items[1].client_id", "items[1].place_code", "items[1].scanned_at"} <= set(paths)


def test_a_replayed_batch_adds_nothing(device, market, gaocheng_person, changan_person):
    items = [
        item("r-1", market, gaocheng_person),
        item("r-2", market, changan_person, ago=timedelta(days=2)),
    ]
    assert device.post(items).status_code == 200
    scans_before, counters_before = list(Scan.objects.order_by("id").values()), _scan_counters()

    replay = device.post(items)

    assert replay.status_code == 200
    assert replay.json() == {
        "accepted": 0,
        "replayed": 2,
        "rejected": 0,
        "errors": [],
        "items": [
            {"client_id": "r-1", "status": "replayed"},
            {"client_id": "r-2", "status": "replayed"},
        ],
    }
    assert list(Scan.objects.order_by("id").values()) == scans_before
    assert _scan_counters() == counters_before
    assert AuditEvent.objects.filter(action="scan.record_batch").count() == 2


def test_a_half_new_batch_adds_only_its_new_items(device, market, gaocheng_person):
    first = [item(f"h-{n}", market, gaocheng_person) for n in range(4)]
    device.post(first)
    second = first[2:] + [item(f"h-{n}", market, gaocheng_person) for n in range(4, 6)]

    response = device.post(second)

    assert response.json()["accepted"] == 2
    assert [i["status"] for i in response.json()["items"]] == [
        "replayed",
        "replayed",
        "accepted",
        "accepted",
    ]
    assert Scan.objects.count() == 6
    assert _today_scans("130109") == 6


def test_the_counters_equal_a_recount(device, market, school, gaocheng_person, changan_person):
    items = [
        item("k-1", market, gaocheng_person, ago=timedelta(days=3)),
        item("k-2", school, gaocheng_person, ago=timedelta(days=3, hours=2)),
        item("k-3", school, changan_person, ago=timedelta(days=1)),
        item("k-4", market, changan_person, ago=timedelta(minutes=5)),
    ]
    device.post(items[:3])
    device.post(items)  # a partial replay on top
    services.record_scan(None, changan_person, school, method="self")
    kept = _scan_counters()

    recount()

    assert _scan_counters() == kept
    assert sum(v for region, _day, v in kept if region == "130100") == 5


def test_a_device_without_the_capability_is_refused(city, city_office, market, gaocheng_person):
    from epicommand.core.models import Role
    from tests.tokens import live_token

    from .scan_world import Device

    _, secret = live_token(
        name="lab", role=Role.LAB_STAFF, unit=city.gaocheng_cdc, region=city.gaocheng
    )
    response = Device(None, secret).post([item("z-1", market, gaocheng_person)])
    assert response.status_code == 403
    assert not Scan.objects.exists()


def test_items_of_the_wrong_shape_are_named_not_crashed_on(device, market, gaocheng_person):
    good = item("w-0", market, gaocheng_person)
    response = device.post(
        [
            good,
            good | {"client_id": "w-1", "method": ["device"], "scanned_at": 12},
            good | {"client_id": {"a": 1}, "id_number": 130109198005171238},
            7,
        ]
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "items[1].scanned_at",
        "items[1].method",
        "items[2].client_id",
        "items[2].id_number",
        "items[3]",
    ]
    assert not Scan.objects.exists()


def test_a_health_code_without_a_valid_time_is_not_looked_up(device, market, gaocheng_person):
    token = codes.issue(gaocheng_person)
    bad = item("t-1", market, gaocheng_person, id_number=None, health_code=token)
    response = device.post([bad | {"scanned_at": "no time"}])
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items[0].scanned_at"]
