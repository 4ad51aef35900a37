"""Recording a lab's results: negative pools release their members, invalid tubes are
re-sampled, a second different result and every bad row are refused naming the row and
field with nothing written, the same result again is a replay, only the lab that
received a tube may result it, and a person in quarantine gets the result on the
required test."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.core.models import AuditEvent, Counter
from epicommand.quarantine.models import StayTest
from epicommand.testing.models import Recall, RoundProgress, Sample, Tube
from epicommand.testing.services.results import record_results

from ..quarantine.monitoring_world import monitoring_world  # noqa: F401
from .labs_world import *  # noqa: F403
from .labs_world import closed_tubes, deliver, register_pool, residents, row

pytestmark = pytest.mark.django_db


@pytest.fixture(name="received")
def received_fixture(
    city, zengcun_site, round1, gaocheng_sampler, gaocheng_lab, gaocheng_lab_staff
):
    """Three pools of ten Xiaoguozhuang residents, received by the Gaocheng lab."""
    people = residents(city.xgz, 30)
    tubes = [
        register_pool(gaocheng_sampler, zengcun_site, people[i : i + 10], round1)
        for i in range(0, 30, 10)
    ]
    deliver(gaocheng_sampler, zengcun_site, tubes, gaocheng_lab_staff, gaocheng_lab)
    return tubes


def value(metric, region="130109"):
    found = Counter.objects.filter(metric=metric, region_id=region).order_by("-day").first()
    return found.value if found else 0


def test_negative_pools_release_every_member_and_move_the_figures(
    city, round1, received, gaocheng_lab, gaocheng_lab_staff
):
    in_transit = value("tubes_in_transit")
    batch = record_results(
        gaocheng_lab_staff, gaocheng_lab, [row(t, ct_n="41.5") for t in received[:2]]
    )
    assert (batch.accepted, batch.figures["negative_tubes"], batch.figures["released"]) == (
        2,
        2,
        20,
    )
    tube = Tube.objects.get(pk=received[0].pk)
    assert (tube.status, tube.result, tube.ct_n, tube.reagent) == (
        Tube.Status.RESULTED,
        "negative",
        Decimal("41.5"),
        "达安基因",
    )
    statuses = Sample.objects.filter(tube__in=received[:2]).values_list("status", flat=True)
    assert set(statuses) == {Sample.Status.NEGATIVE}
    assert Sample.objects.filter(tube=received[2], status="").count() == 10
    progress = RoundProgress.objects.get(round=round1, region=city.xgz)
    assert (progress.tested, progress.released) == (20, 20)
    assert value("tubes_tested") == 2 and value("tubes_tested", "130100") == 2
    assert value("tubes_in_transit") == in_transit - 2
    assert AuditEvent.objects.filter(action="results.record", object_id=str(gaocheng_lab.pk))


def test_the_same_result_again_is_a_replay_and_a_different_one_is_refused(
    city, round1, received, gaocheng_lab, gaocheng_lab_staff
):
    record_results(gaocheng_lab_staff, gaocheng_lab, [row(received[0])])
    again = record_results(gaocheng_lab_staff, gaocheng_lab, [row(received[0])])
    assert again.accepted == 0 and again.replayed == 1
    assert again.items[0]["tube"] == received[0].barcode
    assert "already recorded with the same result" in again.figures["summary"]
    assert RoundProgress.objects.get(round=round1, region=city.xgz).released == 10
    with pytest.raises(ValidationError) as refused:
        record_results(gaocheng_lab_staff, gaocheng_lab, [row(received[0], "positive")])
    assert "already resulted Negative" in refused.value.message_dict["items[0].tube"][0]


def test_every_bad_row_is_named_and_nothing_is_written(
    received, gaocheng_lab, gaocheng_lab_staff, zengcun_site, city
):
    never_received = closed_tubes(zengcun_site, residents(city.community, 10))[0]
    rows = [
        row(received[0]),  # good, but the batch is refused whole
        row("UNKNOWN-1"),
        row(received[1], "maybe"),
        row(received[2], ct_n="55"),
        row(never_received),
        row(received[1], "positive", ct_orf1ab="", ct_n="41", ct_e=None),
        row(received[2], ct_e="31"),
        row(received[0], tested_at="2999-01-01 08:00"),
        row(received[0], ct_orf1ab="abc"),
    ]
    with pytest.raises(ValidationError) as refused:
        record_results(gaocheng_lab_staff, gaocheng_lab, rows)
    errors = refused.value.message_dict
    assert "unknown tube UNKNOWN-1" in errors["items[1].tube"][0]
    assert "negative, positive or invalid" in errors["items[2].result"][0]
    assert "outside the Ct range 10.0-45.0" in errors["items[3].ct_n"][0]
    assert "never received by this lab" in errors["items[4].tube"][0]
    assert "at least one Ct value below 40.0" in errors["items[5].ct_n"][0]
    assert "cannot be negative" in errors["items[6].ct_e"][0]
    assert "future" in errors["items[7].tested_at"][0]
    assert "must be a number" in errors["items[8].ct_orf1ab"][0]
    assert not Tube.objects.filter(status=Tube.Status.RESULTED).exists()
    assert not Sample.objects.exclude(status="").exists()


def test_two_different_results_for_one_tube_in_a_batch_are_refused(
    received, gaocheng_lab, gaocheng_lab_staff
):
    with pytest.raises(ValidationError) as refused:
        record_results(
            gaocheng_lab_staff, gaocheng_lab, [row(received[0]), row(received[0], "invalid")]
        )
    assert "another result in item 0" in refused.value.message_dict["items[1].tube"][0]


def test_only_the_lab_that_received_the_tubes_may_result_them(
    city,
    received,
    gaocheng_lab,
    changan_lab,
    changan_lab_staff,
    other_gaocheng_lab_staff,
    gaocheng_epi,
):
    with pytest.raises(PermissionDenied):
        record_results(other_gaocheng_lab_staff, gaocheng_lab, [row(received[0])])
    with pytest.raises(PermissionDenied):
        record_results(gaocheng_epi, gaocheng_lab, [row(received[0])])  # may not record
    with pytest.raises(ValidationError) as refused:
        record_results(changan_lab_staff, changan_lab, [row(received[0])])
    assert "never received by this lab" in refused.value.message_dict["items[0].tube"][0]


def test_an_invalid_pool_sends_every_member_to_single_re_sampling(
    city, received, gaocheng_lab, gaocheng_lab_staff
):
    batch = record_results(gaocheng_lab_staff, gaocheng_lab, [row(received[0], "invalid")])
    assert batch.figures["invalid_tubes"] == 1 and batch.figures["recalls_created"] == 10
    assert set(Sample.objects.filter(tube=received[0]).values_list("status", flat=True)) == {
        Sample.Status.INVALID
    }
    recalls = Recall.objects.filter(pool_sample__tube=received[0])
    assert recalls.count() == 10 and {r.status for r in recalls} == {Recall.Status.PENDING}
    assert value("recalls_open") == 10


def test_a_person_in_quarantine_gets_the_result_on_the_required_test(
    city,
    make_user,
    city_office,
    zengcun_site,
    gaocheng_sampler,
    gaocheng_lab,
    gaocheng_lab_staff,
):
    world = monitoring_world(city, make_user, city_office)
    person = residents(city.xgz, 1, start=900)[0]
    stay = world.stay(person, number="101")
    first = StayTest.objects.filter(stay=stay).order_by("due_on").first()
    tube = register_pool(gaocheng_sampler, zengcun_site, [person])
    deliver(gaocheng_sampler, zengcun_site, [tube], gaocheng_lab_staff, gaocheng_lab)
    batch = record_results(gaocheng_lab_staff, gaocheng_lab, [row(tube)])
    assert batch.figures["quarantine_tests"] == 1
    first.refresh_from_db()
    assert (first.result, first.reagent) == (StayTest.Result.NEGATIVE, "达安基因")
