"""The testing demo on a small demo city: a finished round 1, a round 2 in progress, labs,
sites and fever clinics, with every figure the services keep equal to a direct count."""

from collections import Counter as Tally
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from epicommand.control.models import FactKind, HealthFact
from epicommand.core import counters
from epicommand.core.models import Counter
from epicommand.people.models import Person
from epicommand.simulation.accounts import ensure_demo_accounts
from epicommand.testing.models import (
    Box,
    FeverClinic,
    FeverVisit,
    Lab,
    Recall,
    Round,
    RoundHour,
    RoundProgress,
    Sample,
    SamplingSite,
    SiteAssignment,
    Tube,
)

pytestmark = pytest.mark.django_db
IN_TRANSIT = (Tube.Status.CLOSED, Tube.Status.BOXED, Tube.Status.RECEIVED)


@pytest.fixture
def demo(seeded_city):
    ensure_demo_accounts()
    out = StringIO()
    call_command("seed_testing", stdout=out)
    return out.getvalue()


def rounds():
    first, second = Round.objects.order_by("starts_at")
    return first, second


def test_the_demo_is_whole_and_every_figure_equals_a_direct_count(demo):
    """One seeding (it takes seconds) checked from every side."""
    assert "Done:" in demo
    assert SamplingSite.objects.count() > 100
    assert Lab.objects.filter(level="mobile", daily_capacity=100_000).count() == 1
    assert FeverClinic.objects.count() == 22
    first, second = rounds()
    assert first.status == Round.Status.CLOSED and second.status == Round.Status.OPEN
    persons = Person.objects.count()
    assert Sample.objects.filter(round=first).count() == persons  # everyone
    assert 0 < Sample.objects.filter(round=second).count() < persons  # part
    assert SiteAssignment.objects.filter(round=second).exists()
    round_1_is_resulted_with_resolved_positive_pools()
    round_2_has_tubes_at_every_stage()
    round_progress_equals_a_direct_count()
    counters_equal_direct_counts()
    boxes_hold_what_they_say()
    fever_visits_are_tested()
    seeding_twice_is_skipped()


def round_1_is_resulted_with_resolved_positive_pools():
    first, _second = rounds()
    tubes = Tube.objects.filter(round=first)
    assert not tubes.exclude(status=Tube.Status.RESULTED).exists()
    assert tubes.filter(result="positive").count() == 2
    assert not Sample.objects.filter(round=first, status="").exists()
    pooled = Sample.objects.filter(round=first, tube__result="positive")
    assert set(pooled.values_list("status", flat=True)) == {Sample.Status.RESOLVED}
    recalls = Recall.objects.filter(pool_sample__round=first)
    assert recalls.count() == pooled.count()
    assert set(recalls.values_list("status", flat=True)) == {Recall.Status.NEGATIVE}
    assert all(r.single_sample.tube.status == Tube.Status.RESULTED for r in recalls)


def round_2_has_tubes_at_every_stage():
    _first, second = rounds()
    statuses = set(Tube.objects.filter(round=second).values_list("status", flat=True))
    assert Tube.Status.RESULTED in statuses
    assert statuses & {Tube.Status.BOXED, Tube.Status.RECEIVED, Tube.Status.CLOSED}
    open_pool = Sample.objects.filter(round=second, status=Sample.Status.POOL_POSITIVE)
    assert open_pool.exists()
    members = set(open_pool.values_list("person_id", flat=True))
    facts = HealthFact.objects.filter(kind=FactKind.POSITIVE_POOL, ended_at__isnull=True)
    assert set(facts.values_list("person_id", flat=True)) == members
    assert Recall.objects.filter(status=Recall.Status.PENDING).count() == len(members)


def round_progress_equals_a_direct_count():
    for round_ in rounds():
        figures = {
            row["region_id"]: row
            for row in RoundProgress.objects.filter(round=round_).values(
                "region_id", "target", "sampled", "tested", "released", "positive_pools"
            )
        }
        samples = Sample.objects.filter(round=round_)
        sampled = Tally(dict(samples.values_list("region_id").annotate(n=Count("id"))))
        tested = Tally(
            dict(
                samples.filter(tube__status=Tube.Status.RESULTED)
                .values_list("region_id")
                .annotate(n=Count("id"))
            )
        )
        released = Tally(
            dict(
                samples.filter(
                    Q(status=Sample.Status.NEGATIVE)
                    | Q(status=Sample.Status.RESOLVED, recall__status=Recall.Status.NEGATIVE)
                )
                .values_list("region_id")
                .annotate(n=Count("id"))
            )
        )
        pools = Tally(
            dict(
                samples.filter(status=Sample.Status.POOL_POSITIVE)  # awaiting re-test
                .values_list("region_id")
                .annotate(n=Count("id"))
            )
        )
        residents = Tally(dict(Person.objects.values_list("region_id").annotate(n=Count("id"))))
        for code, row in figures.items():
            assert row["target"] == residents[code], code
            assert row["sampled"] == sampled[code], code
            assert row["tested"] == tested[code], code
            assert row["released"] == released[code], code
            assert row["positive_pools"] == pools[code], code
        hours = RoundHour.objects.filter(round=round_).aggregate(n=Sum("sampled"))["n"]
        assert hours == samples.count()


def counters_equal_direct_counts():
    today = timezone.localdate()
    counties = sorted({code[:6] for code in Person.objects.values_list("region_id", flat=True)})
    latest = counters.latest_values(
        ["130100", *counties], ["tubes_in_transit", "recalls_open"], today
    )
    in_transit = Tube.objects.filter(status__in=IN_TRANSIT)
    assert latest.get(("130100", "tubes_in_transit"), 0) == in_transit.count()
    for county in counties:
        assert latest.get((county, "tubes_in_transit"), 0) == (
            in_transit.in_region(county).count()
        ), county
    open_recalls = Recall.objects.filter(status=Recall.Status.PENDING).count()
    assert latest.get(("130100", "recalls_open"), 0) == open_recalls

    def flow(metric):
        return Counter.objects.filter(region_id="130100", metric=metric).aggregate(n=Sum("value"))[
            "n"
        ]

    assert flow("samples_taken") == Sample.objects.count()
    assert flow("tubes_tested") == Tube.objects.filter(status=Tube.Status.RESULTED).count()
    assert flow("fever_visits") == FeverVisit.objects.count()


def boxes_hold_what_they_say():
    counted = dict(Tube.objects.exclude(box=None).values_list("box").annotate(n=Count("id")))
    for box_id, tubes in Box.objects.values_list("id", "tubes"):
        assert counted.get(box_id, 0) == tubes
    assert not Tube.objects.filter(
        status__in=(Tube.Status.RECEIVED, Tube.Status.RESULTED), box__status=Box.Status.SEALED
    ).exists()


def fever_visits_are_tested():
    visits = FeverVisit.objects.all()
    assert visits.exists() and not visits.filter(sample=None).exists()


def seeding_twice_is_skipped():
    out = StringIO()
    call_command("seed_testing", if_empty=True, stdout=out)
    assert "nothing to do" in out.getvalue()
