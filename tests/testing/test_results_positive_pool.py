"""Pool resolution end to end (issue 5): a positive pool of 10 with one positive member
ends with 9 negatives, 1 suspected case with a transfer ordered, and the 9 released from
closed management (their POSITIVE_POOL facts ended, their code green again)."""

import pytest

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.models import Counter
from epicommand.testing.models import Recall, RoundProgress, Sample, Tube
from epicommand.testing.services import recalls
from epicommand.testing.services.results import record_results
from epicommand.tracing.models import Case

from .labs_world import *  # noqa: F403
from .labs_world import deliver, new_tube, register_pool, residents, row

pytestmark = pytest.mark.django_db


def counter(metric, region):
    found = Counter.objects.filter(metric=metric, region_id=region).order_by("-day").first()
    return found.value if found else 0


def test_a_positive_pool_of_ten_ends_with_nine_negatives_and_one_suspected_case(
    city, zengcun_site, round1, gaocheng_sampler, gaocheng_lab, gaocheng_lab_staff
):
    persons = residents(city.xgz, 10)
    pool = register_pool(gaocheng_sampler, zengcun_site, persons, round1)
    assert pool.capacity == 10 and pool.status == Tube.Status.CLOSED
    deliver(gaocheng_sampler, zengcun_site, [pool], gaocheng_lab_staff, gaocheng_lab)

    batch = record_results(gaocheng_lab_staff, gaocheng_lab, [row(pool, "positive")])

    assert batch.figures["positive_pools"] == 1 and batch.figures["recalls_created"] == 10
    members = Sample.objects.filter(tube=pool)
    assert {s.status for s in members} == {Sample.Status.POOL_POSITIVE}
    for person in persons:
        assert healthcode.current(person).colour == Colour.YELLOW
    recall_of = {r.person_id: r for r in Recall.objects.filter(pool_sample__tube=pool)}
    assert len(recall_of) == 10
    assert all(r.region_id == city.xgz.code for r in recall_of.values())
    assert counter("recalls_open", "130109") == 10

    # The community re-samples each member alone at home; the singles go to the lab.
    singles = []
    for person in persons:
        recall = recalls.resample(gaocheng_sampler, recall_of[person.pk], tube_barcode=new_tube())
        assert recall.status == Recall.Status.SAMPLED
        singles.append(recall.single_sample.tube)
    deliver(gaocheng_sampler, zengcun_site, singles, gaocheng_lab_staff, gaocheng_lab)
    positive = persons[3]
    rows = [
        row(s, "positive" if s.samples.get().person_id == positive.pk else "negative")
        for s in singles
    ]
    batch = record_results(gaocheng_lab_staff, gaocheng_lab, rows)

    assert batch.figures["recalls_resolved"] == 10 and batch.figures["cases"] == 1
    statuses = {r.person_id: r.status for r in Recall.objects.filter(pool_sample__tube=pool)}
    assert list(statuses.values()).count(Recall.Status.NEGATIVE) == 9
    assert statuses[positive.pk] == Recall.Status.POSITIVE
    case = Case.objects.get(person=positive)
    assert case.classification == "suspected"
    assert case.detection_route == "mass_testing"
    assert case.transfer_ordered_at is not None
    released = [p for p in persons if p.pk != positive.pk]
    for person in released:
        assert healthcode.current(person).colour == Colour.GREEN
    open_facts = HealthFact.objects.filter(
        kind=FactKind.POSITIVE_POOL, person__in=released, ended_at__isnull=True
    )
    assert not open_facts.exists()
    assert {s.status for s in Sample.objects.filter(tube=pool)} == {Sample.Status.RESOLVED}
    assert counter("recalls_open", "130109") == 0
    progress = RoundProgress.objects.get(round=round1, region=city.xgz)
    # Re-tested, nobody of the pool is awaiting a re-test any more (it read 10 for ever).
    assert (progress.sampled, progress.tested, progress.positive_pools) == (10, 10, 0)
    assert (progress.released, progress.positives) == (9, 1)
