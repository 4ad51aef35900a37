"""Sealing boxes at a site, allocating them to labs by room and distance, receiving them:
allocation never exceeds a lab's daily capacity, and every refusal names its field."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epicommand.core.models import AuditEvent
from epicommand.testing.models import Box, Lab, Tube
from epicommand.testing.services import labs as services

from .labs_world import *  # noqa: F403
from .labs_world import closed_tubes, make_lab, new_box, residents

pytestmark = pytest.mark.django_db


def test_a_box_goes_to_the_nearest_lab_with_room(
    city, zengcun_site, gaocheng_sampler, gaocheng_lab, changan_lab
):
    tubes = closed_tubes(zengcun_site, residents(city.xgz, 20))
    box = services.seal_box(gaocheng_sampler, zengcun_site, "BOX-A1", [t.barcode for t in tubes])
    assert box.status == Box.Status.SEALED and box.tubes == 2
    assert box.lab == gaocheng_lab  # 3 km away; Chang'an's lab is 30 km away
    assert set(Tube.objects.filter(box=box).values_list("status", "lab_id")) == {
        (Tube.Status.BOXED, gaocheng_lab.pk)
    }
    assert AuditEvent.objects.filter(action="box.seal", object_id=str(box.pk)).exists()


def test_a_full_lab_sends_the_box_further_and_none_with_room_makes_it_wait(
    city, zengcun_site, gaocheng_sampler
):
    near = make_lab(city.gaocheng, "近处实验室", capacity=3, lat=38.01)
    far = make_lab(city.changan, "远处实验室", capacity=2, lat=38.3)
    tubes = closed_tubes(zengcun_site, residents(city.xgz, 60))
    first = services.seal_box(
        gaocheng_sampler, zengcun_site, new_box(), [tubes[0].barcode, tubes[1].barcode]
    )
    second = services.seal_box(
        gaocheng_sampler, zengcun_site, new_box(), [tubes[2].barcode, tubes[3].barcode]
    )
    third = services.seal_box(
        gaocheng_sampler, zengcun_site, new_box(), [tubes[4].barcode, tubes[5].barcode]
    )
    assert (first.lab, second.lab, third.lab) == (near, far, None)
    # A new lab is room: the waiting box goes out at once.
    newcomer = services.create_lab(
        city_office_of(city),
        name="方舱实验室",
        level=Lab.Level.MOBILE,
        region_code=city.gaocheng.code,
        latitude=38.5,
        longitude=114.6,
        daily_capacity=100_000,
    )
    third.refresh_from_db()
    assert third.lab == newcomer


def city_office_of(city):
    from epicommand.core.models import Role, User

    return User.objects.create_user(
        "office2", password="x", role=Role.CITY_OFFICE, scope_region=city.sjz, unit=city.office
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    capacities=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    box_sizes=st.lists(st.integers(1, 6), min_size=1, max_size=8),
    places=st.lists(st.floats(37.5, 38.5), min_size=4, max_size=4),
)
def test_allocation_never_exceeds_a_labs_capacity(
    city, zengcun_site, gaocheng_sampler, capacities, box_sizes, places
):
    with transaction.atomic():
        labs = [
            make_lab(city.gaocheng, f"实验室{i}", capacity=c, lat=places[i])
            for i, c in enumerate(capacities)
        ]
        people = residents(city.xgz, sum(box_sizes))
        tubes = closed_tubes(zengcun_site, people, size=1)
        start = 0
        for size in box_sizes:
            chunk = tubes[start : start + size]
            start += size
            services.seal_box(gaocheng_sampler, zengcun_site, new_box(), [t.barcode for t in chunk])
        for lab in labs:
            allocated = sum(Box.objects.filter(lab=lab).values_list("tubes", flat=True))
            assert allocated <= lab.daily_capacity
            assert Tube.objects.filter(lab=lab).count() == allocated
        room = services.remaining_today(labs, services.timezone.now())
        for box in Box.objects.filter(lab__isnull=True):
            assert all(box.tubes > left for left in room.values())  # it truly fits nowhere
        transaction.set_rollback(True)


def test_seal_refuses_bad_tubes_naming_each(
    city, zengcun_site, jianbei_site, gaocheng_sampler, gaocheng_lab
):
    people = residents(city.xgz, 40)
    closed = closed_tubes(zengcun_site, people[:10])[0]
    open_tube = closed_tubes(zengcun_site, people[10:20], status=Tube.Status.OPEN)[0]
    elsewhere = closed_tubes(jianbei_site, people[20:30])[0]
    boxed = closed_tubes(zengcun_site, people[30:40])[0]
    services.seal_box(gaocheng_sampler, zengcun_site, "BOX-OLD", [boxed.barcode])
    with pytest.raises(ValidationError) as refused:
        services.seal_box(
            gaocheng_sampler,
            zengcun_site,
            "BOX-OLD",
            [
                closed.barcode,
                "NOPE0001",
                open_tube.barcode,
                elsewhere.barcode,
                boxed.barcode,
                closed.barcode,
            ],
        )
    errors = refused.value.message_dict
    assert "already sealed" in errors["barcode"][0]
    assert "unknown tube" in errors["tube_barcodes[1]"][0]
    assert "still open" in errors["tube_barcodes[2]"][0]
    assert "not sampled at this site" in errors["tube_barcodes[3]"][0]
    assert "already in box BOX-OLD" in errors["tube_barcodes[4]"][0]
    assert "listed twice" in errors["tube_barcodes[5]"][0]
    closed.refresh_from_db()
    assert closed.status == Tube.Status.CLOSED and closed.box_id is None  # nothing written
    with pytest.raises(ValidationError) as empty:
        services.seal_box(gaocheng_sampler, zengcun_site, "x", [])
    assert set(empty.value.message_dict) == {"barcode", "tube_barcodes"}


def test_a_sampler_of_another_district_cannot_seal_at_the_site(
    city, zengcun_site, changan_sampler, gaocheng_lab
):
    tube = closed_tubes(zengcun_site, residents(city.xgz, 10))[0]
    with pytest.raises(PermissionDenied):
        services.seal_box(changan_sampler, zengcun_site, new_box(), [tube.barcode])


def test_the_lab_receives_its_box_once_and_refuses_others(
    city,
    zengcun_site,
    gaocheng_sampler,
    gaocheng_lab,
    changan_lab,
    gaocheng_lab_staff,
    changan_lab_staff,
):
    tube = closed_tubes(zengcun_site, residents(city.xgz, 10))[0]
    box = services.seal_box(gaocheng_sampler, zengcun_site, new_box(), [tube.barcode])
    with pytest.raises(ValidationError) as elsewhere:
        services.receive_box(changan_lab_staff, changan_lab, box.barcode)
    assert "is allocated to 藁城区疾控中心实验室" in elsewhere.value.message_dict["barcode"][0]
    received = services.receive_box(gaocheng_lab_staff, gaocheng_lab, box.barcode)
    assert received.status == Box.Status.RECEIVED and not received.replayed
    tube.refresh_from_db()
    assert tube.status == Tube.Status.RECEIVED
    again = services.receive_box(gaocheng_lab_staff, gaocheng_lab, box.barcode)
    assert again.replayed
    assert AuditEvent.objects.filter(action="box.receive").count() == 1
    with pytest.raises(ValidationError) as unknown:
        services.receive_box(gaocheng_lab_staff, gaocheng_lab, "BOX-NONE")
    assert "unknown box" in unknown.value.message_dict["barcode"][0]


def test_a_waiting_box_may_be_taken_by_a_lab_with_room(
    city, zengcun_site, gaocheng_sampler, gaocheng_lab_staff
):
    tube = closed_tubes(zengcun_site, residents(city.xgz, 10))[0]
    box = services.seal_box(gaocheng_sampler, zengcun_site, new_box(), [tube.barcode])
    assert box.lab is None  # no lab at all yet
    lab = make_lab(city.gaocheng, "藁城实验室", unit=city.gaocheng_cdc, capacity=1)
    received = services.receive_box(gaocheng_lab_staff, lab, box.barcode)
    assert received.lab == lab and received.status == Box.Status.RECEIVED
