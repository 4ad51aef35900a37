"""A positive sample of cold-chain goods (a product, its package, or an environment such as
a market stall): traced forward to every downstream holder and back to the first stop in
one query; the stock still held downstream is sealed; the staff of every holder reached go
on the priority-testing list and, as exposures to a positive place, to the county where
each lives for investigation (tracing); each county with holders gets a task for its
command office.

The trace crosses counties, so the city command office records it (it holds the lab's
result and gives the counties their tasks)."""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.command.models import Priority
from epicommand.command.services import tasks as task_services
from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.bulk import chunks
from epicommand.core.counters import bump, city_of
from epicommand.core.models import Unit
from epicommand.testing.models import PriorityTest
from epicommand.testing.services.priority_list import Listing, list_many_for_testing
from epicommand.tracing.services import exposures

from .. import codes, queries
from ..models import Batch, ChainEvent, Enterprise, EnterpriseStaff, Holding, PositiveSample

COUNTY_CODE_LENGTH = 6


@dataclass
class TraceResult:
    sample: PositiveSample
    reached: list
    tasks: list
    counties_without_office: list[str]


def _clean(kind, enterprise_id, trace_code, sampled_at, lab_report, now) -> tuple:
    errors = {}
    if kind not in PositiveSample.Kind.values:
        errors["kind"] = _("choose one of: %(k)s") % {"k": ", ".join(PositiveSample.Kind)}
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        errors["enterprise_id"] = _("no such enterprise")
    batch = None
    if kind in (PositiveSample.Kind.PRODUCT, PositiveSample.Kind.PACKAGE):
        try:
            batch = codes.resolve(trace_code)
        except codes.InvalidTraceCode as refused:
            errors["trace_code"] = refused.message
        else:
            if enterprise and not Holding.objects.filter(batch=batch, enterprise=enterprise):
                errors["trace_code"] = _("this enterprise never held this batch")
    if not isinstance(sampled_at, datetime) or sampled_at > now:
        errors["sampled_at"] = _("a time not in the future")
    if not str(lab_report or "").strip():
        errors["lab_report"] = _("give the lab report's number")
    if errors:
        raise ValidationError(errors)
    return enterprise, batch


def record_positive_sample(
    actor, *, kind, enterprise_id, sampled_at, lab_report, trace_code="", now=None
) -> TraceResult:
    require(actor, Capability.TRACE_COLDCHAIN, person=True)  # before saying what exists
    now = now or timezone.now()
    enterprise, batch = _clean(kind, enterprise_id, trace_code, sampled_at, lab_report, now)
    require(
        actor,
        Capability.TRACE_COLDCHAIN,
        region=city_of(enterprise.region_id),
        person=True,
    )
    with transaction.atomic():
        sample = PositiveSample.objects.create(
            kind=kind,
            enterprise=enterprise,
            batch=batch,
            region_id=enterprise.region_id,
            sampled_at=sampled_at,
            lab_report=str(lab_report).strip()[:60],
            recorded_at=now,
            recorded_by=actor,
        )
        reached = queries.trace_of_sample(sample)
        sample.batches_sealed, sample.packages_sealed = _seal(reached, now)
        sample.staff_listed = _list_staff(sample, reached, now)
        sample.save(update_fields=["batches_sealed", "packages_sealed", "staff_listed"])
        bump("chain_positive_samples", sample.region_id, day=timezone.localdate(now))
        audit.record(
            actor,
            "coldchain.positive_sample",
            sample,
            reason=f"{len(reached)} holders reached; {sample.packages_sealed} packages sealed",
        )
        tasks, missing = _tasks_per_county(actor, sample, reached, now)
    return TraceResult(sample, reached, tasks, missing)


def _seal(reached, now: datetime) -> tuple[int, int]:
    """Seal what every downstream holder still has (and what reaches it later): returns
    (batches touched, packages sealed)."""
    down = {(r.enterprise_id, r.batch_id) for r in reached if r.direction == "down"}
    batches = {b for _e, b in down}
    lines = [
        h
        for chunk in chunks(sorted(batches))
        for h in Holding.objects.filter(batch_id__in=chunk)
        if (h.enterprise_id, h.batch_id) in down
    ]
    held = {(h.enterprise_id, h.batch_id) for h in lines}
    regions = dict(
        Enterprise.objects.filter(pk__in={e for e, _b in down - held}).values_list(
            "pk", "region_id"
        )
    )
    # A holder whose goods are still on the way gets its (sealed) line now.
    Holding.objects.bulk_create(
        Holding(batch_id=b, enterprise_id=e, region_id=regions[e], sealed_at=now)
        for e, b in sorted(down - held)
    )
    newly = [h for h in lines if h.sealed_at is None]
    for chunk in chunks([h.pk for h in newly]):
        Holding.objects.filter(pk__in=chunk).update(
            sealed=F("sealed") + F("on_hand"), on_hand=0, sealed_at=now
        )
    ChainEvent.objects.bulk_create(
        ChainEvent(
            event_id=uuid.uuid4(),
            biz_step=ChainEvent.Step.HOLDING,
            disposition=ChainEvent.Disposition.NON_SELLABLE,
            event_time=now,
            record_time=now,
            batch_id=h.batch_id,
            quantity=h.on_hand,
            enterprise_id=h.enterprise_id,
            region_id=h.region_id,
        )
        for h in newly
        if h.on_hand
    )
    sealed_here = Counter(h.region_id for h in newly)
    for region_id, count in sealed_here.items():
        bump("chain_holders_sealed", region_id, count, day=timezone.localdate(now))
    for chunk in chunks(sorted(batches)):
        Batch.objects.filter(pk__in=chunk, sealed_at__isnull=True).update(sealed_at=now)
    return len(batches), sum(h.on_hand for h in newly)


def _list_staff(sample: PositiveSample, reached, now: datetime) -> int:
    """The staff of every holder reached, up or down, to be sampled first and investigated
    by the county where each lives (an exposure per holder, so a person working at two
    holders is asked about both). Both lists skip what a replay already listed."""
    holders = {r.enterprise_id for r in reached}
    staff = list(
        EnterpriseStaff.objects.filter(enterprise_id__in=holders).select_related(
            "person", "enterprise"
        )
    )
    listings = [
        Listing(
            member.person_id,
            member.person.region_id,
            PriorityTest.Reason.COLD_CHAIN,
            f"coldchain.sample:{sample.pk}:{member.person_id}",
            member.enterprise.name,
        )
        for member in staff
    ]
    why = _("Works at a holder reached by positive cold-chain sample %(s)s (lab report %(r)s)")
    exposures.record_exposures(
        [
            exposures.Found(
                member.person_id,
                member.person.region_id,
                f"coldchain.sample:{sample.pk}:{member.enterprise_id}",
                member.enterprise.name,
                why % {"s": sample.pk, "r": sample.lab_report},
                sample.sampled_at,
            )
            for member in staff
        ],
        now=now,
    )
    return list_many_for_testing(listings, now=now)


def _tasks_per_county(actor, sample, reached, now) -> tuple[list, list[str]]:
    by_county: dict[str, set[int]] = defaultdict(set)
    for r in reached:
        by_county[r.region_id[:COUNTY_CODE_LENGTH]].add(r.enterprise_id)
    offices = {
        u.region_id: u
        for u in Unit.objects.filter(region_id__in=by_county, kind=Unit.Kind.COMMAND_OFFICE)
    }
    deadline = now + timedelta(hours=policy.active().coldchain_task_hours)
    tasks, missing = [], []
    for county, holders in sorted(by_county.items()):
        office = offices.get(county)
        if office is None:
            missing.append(county)
            continue
        text = _(
            "Seal and check the stock, test the staff and disinfect at %(n)d holders "
            "of cold-chain goods traced from positive sample %(s)s (lab report %(r)s)."
        )
        (task,) = task_services.issue_task(
            actor,
            title=_("Cold-chain positive: %(n)d holders to check") % {"n": len(holders)},
            text=text % {"n": len(holders), "s": sample.pk, "r": sample.lab_report},
            priority=Priority.HIGH,
            deadline=deadline,
            assignees=[office],
            source_key=f"coldchain.sample:{sample.pk}:{county}",
            now=now,
        )
        tasks.append(task)
    return tasks, missing
