"""Assigning many contacts to a site at once: rooms in order, households together in a
family room, validated whole (any bad item: nothing written, each error named by its
item), written in bulk with the tests, the facts and the counters of single assignments."""

import pytest
from django.core.exceptions import ValidationError

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent, Counter
from epicommand.core.recount import recount
from epicommand.people.models import Person
from epicommand.quarantine.models import Room, Site, Stay, StayTest
from epicommand.quarantine.services import sites, stay_batches, stays

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_household,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db


def counter(metric: str, code: str = "130109") -> int:
    row = Counter.objects.filter(region_id=code, metric=metric).order_by("-day").first()
    return row.value if row else 0


def items(persons, reason="close_contact"):
    return [{"client_id": f"s-{p.pk}", "person_id": p.pk, "reason": reason} for p in persons]


def test_a_batch_fills_free_rooms_in_order_with_tests_facts_and_counters(
    settings, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    persons = [make_person(city.xgz) for _ in range(3)]
    free = counter("rooms_free")
    result = stay_batches.assign_batch(site_manager, camp, items(persons))
    assert [a["room"] for a in result.items] == ["A101", "A102", "A103"]
    assert Stay.objects.filter(site=camp, status=Stay.Status.IN_TRANSFER).count() == 3
    assert StayTest.objects.filter(stay__site=camp).count() == 3 * 7
    assert all(healthcode.current(p).colour == Colour.RED for p in persons)
    keys = set(
        HealthFact.objects.filter(kind=FactKind.CENTRALIZED_QUARANTINE).values_list(
            "source_key", flat=True
        )
    )
    assert keys == {f"stay:{a['stay_id']}" for a in result.items}
    assert counter("rooms_free") == free - 3 and counter("stays_in_site") == 3
    assert room(camp, "A103").status == Room.Status.OCCUPIED
    assert AuditEvent.objects.filter(action="quarantine_stay.assign_batch").count() == 1
    kept = {m: counter(m) for m in ("rooms_free", "stays_in_site")}
    recount()
    assert {m: counter(m) for m in kept} == kept


def test_a_household_in_the_batch_shares_a_family_room(site_manager, camp, city):
    family = make_household(city.xgz, "1301091042010050")
    members = [make_person(city.xgz, household=family) for _ in range(3)]
    alone = make_person(city.xgz)
    result = stay_batches.assign_batch(site_manager, camp, items([alone, *members]))
    rooms = {a["person_id"]: a["room"] for a in result.items}
    assert rooms[alone.pk] == "A101"
    assert {rooms[m.pk] for m in members} == {"F101"}
    assert room(camp, "F101").occupants == 3


def test_any_bad_item_refuses_the_whole_batch_naming_each(site_manager, camp, city):
    settings_free = counter("rooms_free")
    inside = make_person(city.xgz)
    stays.assign_stay(site_manager, inside, reason="close_contact", site=camp)
    good = make_person(city.xgz)
    batch = [
        {"person_id": good.pk, "reason": "close_contact"},
        {"person_id": 999_999, "reason": "close_contact"},
        {"person_id": inside.pk, "reason": "close_contact"},
        {"person_id": good.pk, "reason": "close_contact"},
        {"id_number": "130109200001019999", "reason": "close_contact"},
        {"person_id": make_person(city.xgz).pk, "reason": "quarantine"},
        {"person_id": make_person(city.xgz).pk, "reason": "inbound", "vehicle": "x" * 31},
    ]
    batch = [{"client_id": f"b-{n}", **item} for n, item in enumerate(batch)]
    with pytest.raises(ValidationError) as refused:
        stay_batches.assign_batch(site_manager, camp, batch)
    errors = refused.value.message_dict
    assert set(errors) == {
        "items[1].person_id",
        "items[2].person_id",
        "items[3].person_id",
        "items[4].id_number",
        "items[5].reason",
        "items[6].vehicle",
    }
    assert errors["items[1].person_id"] == ["unknown person 999999"]
    assert "already in stay" in errors["items[2].person_id"][0]
    assert errors["items[3].person_id"] == ["the same person as items[0]"]
    assert Stay.objects.count() == 1  # the one assigned before: nothing of the batch
    assert counter("rooms_free") == settings_free - 1


def test_not_enough_free_rooms_refuses_the_batch(site_manager, camp, city):
    persons = [make_person(city.xgz) for _ in range(13)]  # the camp has 12 rooms
    with pytest.raises(ValidationError) as refused:
        stay_batches.assign_batch(site_manager, camp, items(persons))
    assert "13 persons need a room" in refused.value.message_dict["items"][0]
    assert "1 short" in refused.value.message_dict["items"][0]
    assert not Stay.objects.exists()
    assert not Room.objects.filter(status=Room.Status.OCCUPIED).exists()


def test_a_batch_over_the_limit_is_refused(site_manager, camp):
    with pytest.raises(ValidationError) as refused:
        stay_batches.assign_batch(site_manager, camp, [{}] * (stay_batches.MAX_BATCH + 1))
    assert "at most 5000 items" in refused.value.message_dict["items"][0]


def test_a_batch_by_id_number_finds_persons_of_other_districts(site_manager, camp, city):
    # Identifying a person by full ID number is what a site does at its door, as a
    # checkpoint does: the person may live in another district.
    visitor = make_person(city.community)
    result = stay_batches.assign_batch(
        site_manager,
        camp,
        [{"client_id": "v-1", "id_number": visitor.id_number, "reason": "close_contact"}],
    )
    assert result.items[0]["person_id"] == visitor.pk
    # By person id only persons the caller may see.
    other = make_person(city.community)
    with pytest.raises(ValidationError) as refused:
        stay_batches.assign_batch(site_manager, camp, items([other]))
    assert refused.value.message_dict == {"items[0].person_id": [f"unknown person {other.pk}"]}


@pytest.mark.scale
def test_two_thousand_contacts_are_assigned_in_one_batch(site_manager, gaocheng_office, city):
    big = sites.create_site(
        gaocheng_office,
        name="方舱隔离点",
        kind=Site.Kind.CAMP,
        region_id=city.zengcun.code,
        address="增村镇",
        latitude=38.0,
        longitude=114.8,
        unit_id=site_manager.unit_id,
    )
    sites.add_rooms(
        gaocheng_office, big, building="B", floor_from=1, floor_to=4, rooms_per_floor=500
    )
    Person.objects.bulk_create(
        Person(
            name=f"密接{n}",
            sex="M",
            birth_date="1980-01-01",
            id_number=None,
            passport_number=f"E{n:08d}",
            nationality="KOR",
            region=city.xgz,
        )
        for n in range(2000)
    )
    persons = list(Person.objects.filter(passport_number__startswith="E"))
    result = stay_batches.assign_batch(site_manager, big, items(persons))
    assert result.accepted == 2000
    assert Room.objects.filter(site=big, status=Room.Status.FREE).count() == 0
    assert HealthFact.objects.filter(kind=FactKind.CENTRALIZED_QUARANTINE).count() == 2000
