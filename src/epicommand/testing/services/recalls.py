"""Recalls: a member of a positive pool (or of an invalid tube) re-sampled alone at home.

A positive pool puts every member under closed management at once (sample
`pool_positive`, a POSITIVE_POOL health-code fact: yellow) and sends a recall to their
community, to re-sample within the edition's `recall_hours`. The community's team takes
the single sample door to door (`resample`); its result resolves the recall: negative
releases the person (the fact ends, the pooled sample is `resolved`), positive makes a
suspected case (services.results). An invalid sample is re-sampled the same way, without
closed management; an invalid single re-sample sends its recall back to "to re-sample"."""

from collections import Counter as Tally
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, require
from epicommand.core.bulk import chunks, many

from .. import progress
from ..models import Recall, Result, Sample, Tube
from .tubes import take_single_sample

S = Recall.Status


def open_for_positive_pools(tube_ids: list[int], batch, edition, now: datetime) -> None:
    """Every member of these positive pools under closed management, with a recall."""
    samples = _members(tube_ids)
    if not samples:
        return
    healthcode.record_facts(
        [
            healthcode.NewFact(
                person_id=person_id,
                region_id=region_id,
                kind=FactKind.POSITIVE_POOL,
                started_at=now,
                ended_at=None,
                source=_("positive pool %(tube)s") % {"tube": barcode},
                source_key=f"sample:{pk}",
            )
            for pk, person_id, region_id, barcode in samples
        ],
        now=now,
    )
    _create_recalls(samples, batch, edition, now)


def open_for_invalid(tube_ids: list[int], batch, now: datetime) -> None:
    """Invalid tubes: each person re-sampled alone. A recall's own single sample being
    invalid sends that recall back to "to re-sample" instead of opening another."""
    samples = _members(tube_ids)
    if not samples:
        return
    edition = policy.active()
    again = dict(
        Recall.objects.filter(single_sample_id__in=many([s[0] for s in samples])).values_list(
            "single_sample_id", "pk"
        )
    )
    if again:
        Recall.objects.filter(pk__in=list(again.values())).update(
            status=S.PENDING,
            single_sample=None,
            deadline=now + timedelta(hours=edition.recall_hours),
        )
    _create_recalls([s for s in samples if s[0] not in again], batch, edition, now)


def _members(tube_ids: list[int]) -> list[tuple[int, int, str, str]]:
    rows = []
    for chunk in chunks(tube_ids):
        rows += Sample.objects.filter(tube_id__in=many(chunk)).values_list(
            "pk", "person_id", "region_id", "tube__barcode"
        )
    return sorted(rows)


def _create_recalls(samples, batch, edition, now: datetime) -> None:
    deadline = now + timedelta(hours=edition.recall_hours)
    Recall.objects.bulk_create(
        [
            Recall(
                pool_sample_id=pk,
                person_id=person_id,
                region_id=region_id,
                status=S.PENDING,
                created_at=now,
                deadline=deadline,
            )
            for pk, person_id, region_id, _barcode in samples
        ],
        batch_size=1000,
    )
    batch.recalls_created += len(samples)
    _count_open(Tally(region for _pk, _p, region, _b in samples), now)


def _count_open(by_region: Tally, now: datetime, sign: int = 1) -> None:
    by_county = Tally()
    for region, n in by_region.items():
        by_county[region[: counters.CITY_CODE_LENGTH]] += n
    for county, n in sorted(by_county.items()):
        counters.bump("recalls_open", county, sign * n, day=timezone.localdate(now))


def resolve_by_single_results(tubes, batch, now: datetime) -> None:
    """The single results of recall tubes (`tubes` from services.results, each with its
    `row`) resolve their recalls. Positive cases are reported by services.results."""
    outcome = {t.pk: t.row for t in tubes if t.row.result != Result.INVALID}
    if not outcome:
        return
    recalls = list(
        Recall.objects.filter(
            single_sample__tube_id__in=many(list(outcome)), status=S.SAMPLED
        ).values_list(
            "pk",
            "person_id",
            "region_id",
            "single_sample__tube_id",
            "pool_sample_id",
            "pool_sample__status",
            "pool_sample__round_id",
            "pool_sample__region_id",
        )
    )
    if not recalls:
        return
    figures: dict[int, dict[str, Tally]] = {}
    by_status: dict[str, list[int]] = {S.NEGATIVE: [], S.POSITIVE: []}
    for pk, _person, _region, tube_id, _pool, pool_status, round_id, village in recalls:
        row = outcome[tube_id]
        status = S.NEGATIVE if row.result == Result.NEGATIVE else S.POSITIVE
        by_status[status].append(pk)
        if round_id:
            tally = figures.setdefault(round_id, {}).setdefault(village, Tally())
            if pool_status == Sample.Status.INVALID:
                tally["tested"] += 1  # an invalid tube was never counted as tested
            elif pool_status == Sample.Status.POOL_POSITIVE:
                tally["positive_pools"] -= 1  # no longer awaiting the re-test
            tally["released" if status == S.NEGATIVE else "positives"] += 1
        if status == S.NEGATIVE:
            batch.released += 1
    for status, pks in by_status.items():
        if pks:
            Recall.objects.filter(pk__in=pks).update(status=status, resolved_at=now)
    Sample.objects.filter(pk__in=[r[4] for r in recalls]).update(
        status=Sample.Status.RESOLVED, resulted_at=now
    )
    # The single result ends the closed management of a positive pool; a positive person
    # is red from here on by the case tracing records.
    healthcode.end_facts({r[1] for r in recalls}, FactKind.POSITIVE_POOL, at=now, now=now)
    for round_id, villages in sorted(figures.items()):
        progress.add(round_id, {code: dict(f) for code, f in villages.items()})
    _count_open(Tally(r[2] for r in recalls), now, sign=-1)
    batch.recalls_resolved += len(recalls)


# The community's re-sampling --------------------------------------------------------------


def resample(
    actor,
    recall: Recall,
    *,
    tube_barcode: str,
    sampled_at: datetime | None = None,
    client_id: str | None = None,
) -> Recall:
    """The person's single sample, taken at home (testing.services.tubes), linked to
    the recall. A retry with the same client id returns the recall unchanged."""
    require(actor, Capability.SAMPLE, region=recall.region_id)
    with transaction.atomic():
        recall = Recall.objects.select_for_update().select_related("person").get(pk=recall.pk)
        if recall.status != S.PENDING:
            if client_id and recall.single_sample and recall.single_sample.client_id == client_id:
                return recall
            raise ValidationError(
                {"recall": _("is %(s)s: nothing to re-sample") % {"s": recall.get_status_display()}}
            )
        sample = take_single_sample(
            actor,
            recall.person,
            tube_barcode=tube_barcode,
            purpose=Tube.Purpose.RECALL,
            sampled_at=sampled_at,
            client_id=client_id,
            door_to_door=True,
        )
        recall.single_sample, recall.status = sample, S.SAMPLED
        recall.save(update_fields=["single_sample", "status"])
        audit.record(
            actor, "recall.resample", recall, reason=_("tube %(t)s") % {"t": sample.tube.barcode}
        )
    return recall
