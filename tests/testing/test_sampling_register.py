"""Registering samples at a table: pools fill to their size and close, bad items refuse
the whole batch, replays change nothing, a person is sampled once a round unless on
purpose, and the pool size follows the person's risk."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.control.models import RiskLevel
from epicommand.core.models import AuditEvent, Counter
from epicommand.quarantine.models import Stay
from epicommand.testing.models import PriorityTest, RoundHour, RoundProgress, Sample, Tube
from epicommand.testing.services.sampling import register_samples
from epicommand.testing.services.tubes import close_tube, take_single_sample

from .sampling_world import (  # noqa: F401  fixtures
    changan_sampler_fixture,
    designate,
    gaocheng_sampler_fixture,
    item,
    jianbei_site_fixture,
    new_tube,
    residents,
    round1_fixture,
    villagers_fixture,
    zengcun_site_fixture,
)

pytestmark = pytest.mark.django_db


def register(actor, entries, site):
    return register_samples(actor, entries, site=site)


def test_a_table_worker_fills_a_pool_of_ten_and_the_eleventh_needs_a_new_tube(
    gaocheng_sampler, zengcun_site, round1, villagers
):
    tube = new_tube()
    for n, person in enumerate(villagers[:10]):
        batch = register(
            gaocheng_sampler, [item(f"t-{n}", tube, person, round_obj=round1)], zengcun_site
        )
        assert batch.items[0]["members"] == n + 1
    assert batch.items[0]["closed"]
    stored = Tube.objects.get(barcode=tube)
    assert (stored.members, stored.capacity, stored.status) == (10, 10, Tube.Status.CLOSED)

    with pytest.raises(ValidationError) as refused:
        register(
            gaocheng_sampler, [item("t-10", tube, villagers[10], round_obj=round1)], zengcun_site
        )
    assert f"tube {tube} is closed" in refused.value.message_dict["items[0].tube"][0]

    other = new_tube()
    batch = register(
        gaocheng_sampler, [item("t-10", other, villagers[10], round_obj=round1)], zengcun_site
    )
    assert (batch.items[0]["tube"], batch.items[0]["members"], batch.items[0]["closed"]) == (
        other,
        1,
        False,
    )


def test_a_round_sample_moves_the_round_figures_and_the_counters(
    gaocheng_sampler, zengcun_site, round1, villagers, city
):
    tube = new_tube()
    register(
        gaocheng_sampler,
        [item(f"f-{n}", tube, p, round_obj=round1) for n, p in enumerate(villagers[:10])],
        zengcun_site,
    )
    assert RoundProgress.objects.get(round=round1, region=city.xgz).sampled == 10
    assert (
        sum(
            RoundHour.objects.filter(round=round1, region=city.gaocheng).values_list(
                "sampled", flat=True
            )
        )
        == 10
    )
    day = timezone.localdate()
    assert Counter.objects.get(metric="samples_taken", region=city.gaocheng, day=day).value == 10
    assert Counter.objects.get(metric="tubes_in_transit", region=city.gaocheng, day=day).value == 1
    sample = Sample.objects.get(client_id="f-0")
    assert sample.region_id == city.xgz.code and sample.recorded_by == gaocheng_sampler
    assert AuditEvent.objects.filter(action="sample.register_batch").count() == 1


def test_a_mistyped_barcode_is_refused_by_its_check_digit(
    gaocheng_sampler, zengcun_site, villagers
):
    good = new_tube()
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        register(gaocheng_sampler, [item("b-1", typo, villagers[0])], zengcun_site)
    assert "check digit" in refused.value.message_dict["items[0].tube"][0]
    with pytest.raises(ValidationError) as refused:
        register(gaocheng_sampler, [item("b-2", "TUBE-1", villagers[0])], zengcun_site)
    assert "12 digits" in refused.value.message_dict["items[0].tube"][0]


def test_a_bad_item_refuses_the_whole_batch_and_nothing_is_written(
    gaocheng_sampler, zengcun_site, round1, villagers
):
    tube = new_tube()
    entries = [item(f"h-{n}", tube, p, round_obj=round1) for n, p in enumerate(villagers[:4])]
    entries[3]["id_number"] = "130109199901011111"  # nobody's
    entries[2]["sampled_at"] = (timezone.now() + timedelta(hours=2)).isoformat()
    with pytest.raises(ValidationError) as refused:
        register(gaocheng_sampler, entries, zengcun_site)
    assert list(refused.value.message_dict) == ["items[2].sampled_at", "items[3].id_number"]
    assert not Sample.objects.exists() and not Tube.objects.exists()
    assert not RoundProgress.objects.exists()


def test_duplicates_in_a_batch_are_named(gaocheng_sampler, zengcun_site, round1, villagers):
    tube = new_tube()
    entries = [
        item("d-1", tube, villagers[0], round_obj=round1),
        item("d-1", tube, villagers[1], round_obj=round1),
        item("d-3", tube, villagers[0], round_obj=round1),
    ]
    with pytest.raises(ValidationError) as refused:
        register(gaocheng_sampler, entries, zengcun_site)
    errors = refused.value.message_dict
    assert errors["items[1].client_id"] == ["repeats the client id of items[0]"]
    assert "already sampled in this batch, items[0]" in errors["items[2].resample"][0]


def test_a_replayed_batch_changes_nothing_and_says_so(
    gaocheng_sampler, zengcun_site, round1, villagers, city
):
    tube = new_tube()
    entries = [item(f"r-{n}", tube, p, round_obj=round1) for n, p in enumerate(villagers[:10])]
    first = register(gaocheng_sampler, entries, zengcun_site)
    again = register(gaocheng_sampler, entries, zengcun_site)
    assert (first.accepted, first.replayed) == (10, 0)
    assert (again.accepted, again.replayed) == (0, 10)
    assert {o["status"] for o in again.items} == {"replayed"}
    assert again.items[0]["closed"] and again.items[0]["members"] == 10
    assert Sample.objects.count() == 10
    assert RoundProgress.objects.get(round=round1, region=city.xgz).sampled == 10


def test_a_person_sampled_twice_in_a_round_is_refused_unless_on_purpose(
    gaocheng_sampler, zengcun_site, round1, villagers
):
    first_tube, second_tube = new_tube(), new_tube()
    register(
        gaocheng_sampler, [item("w-1", first_tube, villagers[0], round_obj=round1)], zengcun_site
    )
    with pytest.raises(ValidationError) as refused:
        register(
            gaocheng_sampler,
            [item("w-2", second_tube, villagers[0], round_obj=round1)],
            zengcun_site,
        )
    message = refused.value.message_dict["items[0].resample"][0]
    assert f"already sampled in this round (tube {first_tube})" in message
    assert "true" not in message  # the field is named by the error's key, in words here
    batch = register(
        gaocheng_sampler,
        [item("w-2", second_tube, villagers[0], round_obj=round1, resample=True)],
        zengcun_site,
    )
    assert batch.accepted == 1
    assert Sample.objects.get(client_id="w-2").resample is True


def test_a_pool_over_its_size_is_refused(gaocheng_sampler, zengcun_site, round1, villagers):
    tube = new_tube()
    entries = [item(f"o-{n}", tube, p, round_obj=round1) for n, p in enumerate(villagers[:11])]
    with pytest.raises(ValidationError) as refused:
        register(gaocheng_sampler, entries, zengcun_site)
    assert refused.value.message_dict == {
        "items[10].tube": [f"tube {tube} is full (10 of 10): take a new tube"]
    }
    assert not Tube.objects.exists()


def test_a_person_in_quarantine_is_sampled_one_to_a_tube(
    gaocheng_sampler, zengcun_site, round1, villagers, city
):
    Stay.objects.create(
        person=villagers[0],
        region=city.xgz,
        reason=Stay.Reason.CLOSE_CONTACT,
        status=Stay.Status.IN_SITE,
        edition="9",
        started_at=timezone.now() - timedelta(days=2),
        planned_site_end=timezone.localdate() + timedelta(days=5),
        planned_home_end=timezone.localdate() + timedelta(days=8),
    )
    alone = new_tube()
    batch = register(
        gaocheng_sampler, [item("q-1", alone, villagers[0], round_obj=round1)], zengcun_site
    )
    assert (batch.items[0]["capacity"], batch.items[0]["closed"]) == (1, True)

    pooled = new_tube()
    register(gaocheng_sampler, [item("q-2", pooled, villagers[1], round_obj=round1)], zengcun_site)
    with pytest.raises(ValidationError) as refused:
        register(
            gaocheng_sampler,
            [item("q-3", pooled, villagers[0], round_obj=round1, resample=True)],
            zengcun_site,
        )
    assert "may only be pooled 1 to a tube" in refused.value.message_dict["items[0].tube"][0]


def test_risk_areas_set_the_pool_size(gaocheng_sampler, zengcun_site, round1, city):
    medium = residents(city.xgz, 6, start=100)
    designate(city.xgz, RiskLevel.MEDIUM)
    tube = new_tube()
    batch = register(
        gaocheng_sampler,
        [item(f"m-{n}", tube, p, round_obj=round1) for n, p in enumerate(medium[:5])],
        zengcun_site,
    )
    assert (batch.items[-1]["capacity"], batch.items[-1]["members"], batch.items[-1]["closed"]) == (
        5,
        5,
        True,
    )


def test_a_high_risk_resident_lowers_an_open_pool_to_its_size(
    gaocheng_sampler, zengcun_site, round1, villagers, city
):
    """The smallest size among a tube's members decides: here one already in a pool."""
    designate(city.community, RiskLevel.HIGH)
    visitor = residents(city.community, 1, start=300)[0]
    tube = new_tube()
    with pytest.raises(ValidationError) as refused:
        register(
            gaocheng_sampler,
            [
                item("x-1", tube, villagers[0], round_obj=round1),
                item("x-2", tube, visitor, round_obj=round1),
            ],
            zengcun_site,
        )
    assert "may only be pooled 1 to a tube" in refused.value.message_dict["items[1].tube"][0]


def test_a_table_closes_a_tube_by_hand(gaocheng_sampler, zengcun_site, round1, villagers, city):
    tube = new_tube()
    register(
        gaocheng_sampler,
        [item(f"c-{n}", tube, p, round_obj=round1) for n, p in enumerate(villagers[:3])],
        zengcun_site,
    )
    closed = close_tube(gaocheng_sampler, Tube.objects.get(barcode=tube))
    assert (closed.status, closed.members) == (Tube.Status.CLOSED, 3)
    day = timezone.localdate()
    assert Counter.objects.get(metric="tubes_in_transit", region=city.gaocheng, day=day).value == 1
    with pytest.raises(ValidationError):
        close_tube(gaocheng_sampler, closed)


def test_door_to_door_sampling_files_the_tube_in_the_persons_community(
    gaocheng_sampler, round1, villagers, city
):
    tube = new_tube()
    batch = register_samples(gaocheng_sampler, [item("dd-1", tube, villagers[0], round_obj=round1)])
    assert batch.accepted == 1
    stored = Tube.objects.get(barcode=tube)
    assert (stored.site, stored.region_id) == (None, city.xgz.code)
    assert Sample.objects.get(client_id="dd-1").door_to_door is True


def test_door_to_door_only_in_ones_own_jurisdiction(changan_sampler, round1, villagers):
    with pytest.raises(ValidationError) as refused:
        register_samples(
            changan_sampler, [item("dd-2", new_tube(), villagers[0], round_obj=round1)]
        )
    assert (
        "only residents of your jurisdiction" in refused.value.message_dict["items[0].id_number"][0]
    )


def test_a_site_of_another_district_is_refused(changan_sampler, zengcun_site, villagers):
    with pytest.raises(ValidationError) as refused:
        register(changan_sampler, [item("s-1", new_tube(), villagers[0])], zengcun_site)
    assert "site" in refused.value.message_dict


def test_a_tube_of_another_site_is_refused(
    gaocheng_sampler, city_office, zengcun_site, jianbei_site, villagers
):
    tube = new_tube()
    register(gaocheng_sampler, [item("a-1", tube, villagers[0])], zengcun_site)
    with pytest.raises(ValidationError) as refused:
        register(city_office, [item("a-2", tube, villagers[1])], jianbei_site)
    assert "opened at another sampling site" in refused.value.message_dict["items[0].tube"][0]


def test_a_single_sample_is_a_closed_tube_of_one_and_marks_the_priority_list(
    gaocheng_sampler, villagers, city
):
    person = villagers[0]
    listed = PriorityTest.objects.create(
        person=person,
        region=city.xgz,
        reason=PriorityTest.Reason.CLOSE_CONTACT,
        source_key="contact:1",
        listed_at=timezone.now() - timedelta(hours=3),
        deadline=timezone.now() + timedelta(hours=9),
    )
    tube = new_tube()
    sample = take_single_sample(
        gaocheng_sampler, person, tube_barcode=tube, purpose=Tube.Purpose.RECALL, client_id="one-1"
    )
    assert (sample.tube.capacity, sample.tube.members, sample.tube.status) == (
        1,
        1,
        Tube.Status.CLOSED,
    )
    assert sample.door_to_door and sample.tube.region_id == city.xgz.code
    listed.refresh_from_db()
    assert listed.sampled_at == sample.sampled_at
    again = take_single_sample(
        gaocheng_sampler, person, tube_barcode=tube, purpose=Tube.Purpose.RECALL, client_id="one-1"
    )
    assert again.pk == sample.pk and Sample.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        take_single_sample(gaocheng_sampler, person, tube_barcode=tube, purpose=Tube.Purpose.RECALL)
    assert f"tube {tube} is already registered" in refused.value.message_dict["tube_barcode"][0]
