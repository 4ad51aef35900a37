"""Lab results: a batch of tube results, validated whole and applied in one transaction,
set-based (a lab reports 100,000 tubes a day).

- negative tube: its samples negative, the persons released (round progress `released`);
- positive pool (a tube of more than one): every member at once under closed management:
  sample `pool_positive`, a POSITIVE_POOL health-code fact, a recall for single
  re-sampling at home sent to their community (deadline `recall_hours`);
- positive single tube: the person positive, a suspected case for tracing with a transfer
  order to a designated hospital;
- a recall's single result resolves the pool member (services.recalls);
- invalid: the samples invalid and each person re-sampled alone through a recall (a
  recall's own invalid sample sends that recall back to "to re-sample").

A person in quarantine with a required test due gets the result on that test too
(quarantine.services.monitoring.record_test_result)."""

from collections import Counter as Tally
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, intake, policy
from epicommand.core.access import Capability, require
from epicommand.core.bulk import bulk_update, chunks, many, naive_utc
from epicommand.quarantine.models import StayTest
from epicommand.quarantine.queries.monitoring import CHECKED_STATUSES
from epicommand.quarantine.services import monitoring
from epicommand.tracing.services import cases

from .. import progress
from ..models import Lab, Result, Sample, Tube
from ..queries.labs import labs_visible_to
from . import recalls

R = Result
CT_FIELDS = ("ct_orf1ab", "ct_n", "ct_e")
RESULT_WORDS = {
    "negative": R.NEGATIVE,
    "positive": R.POSITIVE,
    "invalid": R.INVALID,
    "阴性": R.NEGATIVE,
    "阳性": R.POSITIVE,
    "无效": R.INVALID,
}
# A results file is a lab's day (a lab reports 100,000 tubes a day); a JSON batch is a
# device's, MAX_ITEMS like every batch.
MAX_FILE_ROWS = 200_000
SAMPLE_STATUS = {
    R.NEGATIVE: Sample.Status.NEGATIVE,
    R.INVALID: Sample.Status.INVALID,
}


@dataclass(frozen=True)
class CleanRow:
    index: int
    tube: str
    result: str
    ct_orf1ab: Decimal | None
    ct_n: Decimal | None
    ct_e: Decimal | None
    reagent: str
    tested_at: datetime


@dataclass
class ResultBatch:
    """What a batch did. `replayed` lists tubes whose same result was already stored."""

    recorded: int = 0
    replayed: list[str] = field(default_factory=list)
    negative_tubes: int = 0
    positive_pools: int = 0
    positive_singles: int = 0
    invalid_tubes: int = 0
    released: int = 0
    recalls_created: int = 0
    recalls_resolved: int = 0
    cases: int = 0
    quarantine_tests: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = _(
            "%(n)d tubes resulted: %(neg)d negative, %(pp)d positive pools, "
            "%(ps)d positive single tubes, %(inv)d invalid"
        ) % {
            "n": self.recorded,
            "neg": self.negative_tubes,
            "pp": self.positive_pools,
            "ps": self.positive_singles,
            "inv": self.invalid_tubes,
        }
        if self.replayed:
            text += "; " + _("%(n)d already recorded with the same result: unchanged") % {
                "n": len(self.replayed)
            }
        return text

    def figures(self) -> dict:
        """The batch's figures as the answer gives them (core.intake's result carries
        the counts and which tubes were replayed)."""
        figures = {k: v for k, v in self.__dict__.items() if k not in ("recorded", "replayed")}
        return {**figures, "summary": self.summary}


def record_results(
    actor,
    lab: Lab,
    rows: Sequence[Mapping],
    *,
    now: datetime | None = None,
    max_items: int = intake.MAX_ITEMS,
) -> intake.BatchResult:
    """Record a lab's results for tubes it received, through core.intake
    (docs/api-guide.md "Device and lab batches"). Every item is checked first; any error
    refuses the whole batch (intake.BatchRefused), naming `items[3].ct_n`. A tube sent
    again with the same result is a replay (unchanged, reported `replayed`); a different
    result is refused. `max_items`: a results file is larger than a device's batch."""
    require(actor, Capability.RECORD_RESULTS)
    if not labs_visible_to(actor).filter(pk=lab.pk).exists():
        raise PermissionDenied(_("this is not your lab"))
    app = ResultIntake(actor, lab, now or timezone.now())
    app.max_items = max_items
    return intake.run(app, rows)


class ResultIntake(intake.BatchApp):
    """A lab's batch. The replay check is the tube's: a tube resulted the same before
    is replayed whatever the item's client id (a lab's file has none of its own)."""

    fields = ("tube", "result", *CT_FIELDS, "reagent", "tested_at")

    def __init__(self, actor, lab: Lab, now: datetime):
        super().__init__(now)
        self.actor, self.lab = actor, lab
        self.edition = policy.active()
        self.tubes: dict[int, _Tube] = {}  # by item index: the tubes this batch results
        self.batch = ResultBatch()

    def parse(self, index, client_id, item, errors):
        return _clean_row(index, item, self.edition, self.now, errors)

    def resolve(self, rows, errors):
        first = _first_of_each_tube(rows, errors)
        self.tubes = _check_tubes(self.lab, first, errors, self.batch)

    def write(self, rows, replayed):
        tubes = list(self.tubes.values())
        if tubes:
            _apply(self.lab, tubes, self.batch, self.edition, self.now)
        audit.record(self.actor, "results.record", self.lab, reason=self.batch.summary)
        return intake.Written(
            [
                {"tube": row.tube, "result": row.result}
                | ({} if row.index in self.tubes else {"status": intake.REPLAYED})
                for row in rows
            ],
            self.batch.figures(),
        )


# Checking ------------------------------------------------------------------------------


def _first_of_each_tube(rows: list[CleanRow], errors) -> list[CleanRow]:
    """A tube once: the same result twice is one result, another result is an error."""
    first_of: dict[str, CleanRow] = {}
    for row in rows:
        earlier = first_of.setdefault(row.tube, row)
        if earlier.result != row.result:
            errors.add(
                row.index,
                "tube",
                _("tube %(t)s has another result in item %(i)d of this batch")
                % {"t": row.tube, "i": earlier.index},
            )
    return list(first_of.values())


def _clean_row(index: int, row, edition, now: datetime, errors) -> CleanRow | None:
    tube = row.get("tube")
    tube = tube.strip() if isinstance(tube, str) else ""
    if not tube:
        errors.add(index, "tube", _("is required"))
    elif len(tube) > 32:
        errors.add(index, "tube", _("is longer than 32 characters"))
    word = row.get("result")
    result = RESULT_WORDS.get(word.strip().lower()) if isinstance(word, str) else None
    if result is None:
        errors.add(index, "result", _("must be negative, positive or invalid"))
    cts = {name: _clean_ct(row.get(name), edition, index, name, errors) for name in CT_FIELDS}
    _check_cts_agree(result, cts, edition, index, errors)
    reagent = row.get("reagent") or ""
    if not isinstance(reagent, str):
        errors.add(index, "reagent", _("must be text"))
    elif len(reagent.strip()) > 100:
        errors.add(index, "reagent", _("is longer than 100 characters"))
    tested_at = intake.device_time(
        errors, index, "tested_at", row.get("tested_at"), now, default=now
    )
    if errors.of(index):
        return None
    return CleanRow(index, tube, result, *cts.values(), reagent.strip(), tested_at)


def _clean_ct(value, edition, index: int, name: str, errors) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.add(index, name, _("must be a number"))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(index, name, _("must be a number"))
        return None
    if not number.is_finite() or not edition.ct_min <= number <= edition.ct_max:
        errors.add(
            index,
            name,
            _("%(v)s is outside the Ct range %(lo)s-%(hi)s")
            % {"v": value, "lo": edition.ct_min, "hi": edition.ct_max},
        )
        return None
    return number.quantize(Decimal("0.1"))


def _check_cts_agree(result, cts: dict, edition, index: int, errors) -> None:
    """A positive needs a target detected (a Ct below the edition's cut-off); a negative
    cannot have one."""
    if any(errors.of(index, name) for name in CT_FIELDS):
        return
    below = Decimal(str(edition.ct_positive_below))
    detected = [name for name, v in cts.items() if v is not None and v < below]
    if result == R.POSITIVE and not detected:
        errors.add(
            index,
            "ct_n",
            _("a positive result needs at least one Ct value below %(c)s")
            % {"c": edition.ct_positive_below},
        )
    elif result == R.NEGATIVE and detected:
        errors.add(
            index,
            detected[0],
            _("a Ct below %(c)s means the target was detected: the result cannot be negative")
            % {"c": edition.ct_positive_below},
        )


@dataclass
class _Tube:
    pk: int
    barcode: str
    capacity: int
    purpose: str
    round_id: int | None
    region_id: str
    row: CleanRow


def _check_tubes(lab: Lab, cleaned: list[CleanRow], errors, batch: ResultBatch):
    """{item index: tube} of the tubes to result, locked; unknown tubes and tubes this
    lab never received are errors; the same result again is a replay."""
    by_code = {row.tube: row for row in cleaned}
    stored = {}
    for chunk in chunks(sorted(by_code)):
        query = Tube.objects.filter(barcode__in=many(chunk, "text")).select_for_update()
        for values in query.values_list(
            "pk",
            "barcode",
            "status",
            "result",
            "lab_id",
            "capacity",
            "purpose",
            "round_id",
            "region_id",
        ):
            stored[values[1]] = values
    tubes = {}
    for row in cleaned:
        found = stored.get(row.tube)
        if found is None:
            errors.add(row.index, "tube", _("unknown tube %(t)s") % {"t": row.tube})
            continue
        pk, code, status, result, lab_id, capacity, purpose, round_id, region = found
        if lab_id != lab.pk or status not in (Tube.Status.RECEIVED, Tube.Status.RESULTED):
            errors.add(
                row.index, "tube", _("tube %(t)s was never received by this lab") % {"t": code}
            )
        elif status == Tube.Status.RESULTED and result == row.result:
            batch.replayed.append(code)
        elif status == Tube.Status.RESULTED:
            errors.add(
                row.index,
                "tube",
                _("tube %(t)s is already resulted %(r)s: a different result is refused")
                % {"t": code, "r": Result(result).label},
            )
        else:
            tubes[row.index] = _Tube(pk, code, capacity, purpose, round_id, region, row)
    return tubes


# Applying ------------------------------------------------------------------------------


def _apply(lab: Lab, tubes: list[_Tube], batch: ResultBatch, edition, now: datetime) -> None:
    bulk_update(
        Tube._meta.db_table,
        "id",
        ("status", "result", "ct_orf1ab", "ct_n", "ct_e", "reagent", "resulted_at", "lab_id"),
        (
            (
                t.pk,
                Tube.Status.RESULTED,
                t.row.result,
                t.row.ct_orf1ab,
                t.row.ct_n,
                t.row.ct_e,
                t.row.reagent,
                naive_utc(t.row.tested_at),
                lab.pk,
            )
            for t in tubes
        ),
    )
    batch.recorded = len(tubes)
    positive_pools = [t for t in tubes if t.row.result == R.POSITIVE and t.capacity > 1]
    positive_singles = [t for t in tubes if t.row.result == R.POSITIVE and t.capacity <= 1]
    batch.negative_tubes = sum(t.row.result == R.NEGATIVE for t in tubes)
    batch.invalid_tubes = sum(t.row.result == R.INVALID for t in tubes)
    batch.positive_pools, batch.positive_singles = len(positive_pools), len(positive_singles)
    _set_sample_statuses(tubes)
    _count_tubes(tubes, now)
    _count_round_progress(tubes, batch)
    recalls.open_for_positive_pools([t.pk for t in positive_pools], batch, edition, now)
    recalls.open_for_invalid([t.pk for t in tubes if t.row.result == R.INVALID], batch, now)
    single_tubes = [t for t in tubes if t.purpose == Tube.Purpose.RECALL]
    recalls.resolve_by_single_results(single_tubes, batch, now)
    _report_positive_singles(positive_singles, batch, now)
    _tell_quarantine(tubes, batch, now)


def _set_sample_statuses(tubes: list[_Tube]) -> None:
    def status(t: _Tube) -> str:
        if t.row.result == R.POSITIVE:
            return Sample.Status.POOL_POSITIVE if t.capacity > 1 else Sample.Status.POSITIVE
        return SAMPLE_STATUS[t.row.result]

    bulk_update(
        Sample._meta.db_table,
        "tube_id",
        ("status", "resulted_at"),
        ((t.pk, status(t), naive_utc(t.row.tested_at)) for t in tubes),
    )


def _count_tubes(tubes: list[_Tube], now: datetime) -> None:
    day = timezone.localdate(now)
    by_county = Tally(t.region_id[: counters.CITY_CODE_LENGTH] for t in tubes)
    counters.add_flows("tubes_tested", {(county, day): n for county, n in by_county.items()})
    for county, n in sorted(by_county.items()):
        counters.bump("tubes_in_transit", county, -n, day=day)


def _count_round_progress(tubes: list[_Tube], batch: ResultBatch) -> None:
    """Round figures per village, from the samples of the round tubes (a recall's single
    result counts where its pooled sample did, in services.recalls)."""
    outcome = {t.pk: (t.row.result, t.capacity > 1) for t in tubes}
    round_tubes = [t.pk for t in tubes if t.round_id and t.purpose != Tube.Purpose.RECALL]
    deltas: dict[int, dict[str, Tally]] = {}
    for chunk in chunks(round_tubes):
        rows = (
            Sample.objects.filter(tube_id__in=many(chunk), round_id__isnull=False)
            .values_list("round_id", "region_id", "tube_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for round_id, village, tube_id, n in rows:
            result, pooled = outcome[tube_id]
            figures = deltas.setdefault(round_id, {}).setdefault(village, Tally())
            if result == R.NEGATIVE:
                figures.update(tested=n, released=n)
                batch.released += n
            elif result == R.POSITIVE:
                figures.update({"tested": n, "positive_pools" if pooled else "positives": n})
    for round_id, villages in sorted(deltas.items()):
        progress.add(round_id, {code: dict(f) for code, f in villages.items()})
    batch.released += _released_outside_rounds(tubes)


def _released_outside_rounds(tubes: list[_Tube]) -> int:
    negative = [
        t.pk
        for t in tubes
        if t.row.result == R.NEGATIVE and not t.round_id and t.purpose != Tube.Purpose.RECALL
    ]
    total = 0
    for chunk in chunks(negative):
        total += Sample.objects.filter(tube_id__in=many(chunk)).count()
    return total


def _report_positive_singles(tubes: list[_Tube], batch: ResultBatch, now: datetime) -> None:
    """A positive single tube: the person is a suspected case for tracing, with a transfer
    order to a designated hospital, all registered together (cases.register_suspected)."""
    if not tubes:
        return
    purposes = {t.pk: t.purpose for t in tubes}
    samples = list(
        Sample.objects.filter(tube_id__in=list(purposes)).select_related("person").order_by("pk")
    )
    by_region = Tally()
    found = []
    for sample in samples:
        by_region[sample.region_id] += 1
        route = {
            Tube.Purpose.PRIORITY: "priority_test",
            Tube.Purpose.FEVER_CLINIC: "fever_clinic",
        }.get(purposes[sample.tube_id], "mass_testing")
        day = timezone.localdate(sample.sampled_at)
        found.append(cases.Suspected(sample.person, route, day, f"sample:{sample.pk}"))
    registered, refused = cases.register_suspected(found, now=now)
    batch.cases += len(registered)
    for person in refused:
        batch.notes.append(_("%(name)s is already a case: no new case") % {"name": person.name})
    day = timezone.localdate(now)
    counters.add_flows("positive_samples", {(r, day): n for r, n in by_region.items()})


def _tell_quarantine(tubes: list[_Tube], batch: ResultBatch, now: datetime) -> None:
    """Persons in quarantine waiting for a required test get this result on it. A positive
    pool is not a person's own result, so it is not passed on."""
    own = {t.pk: t.row for t in tubes if not (t.row.result == R.POSITIVE and t.capacity > 1)}
    due = StayTest.objects.filter(
        result__in=[StayTest.Result.PENDING, StayTest.Result.SAMPLED],
        stay__status__in=CHECKED_STATUSES,
    )
    waiting = due.values("stay__person_id")
    pairs = []
    for chunk in chunks(list(own)):
        pairs += Sample.objects.filter(tube_id__in=many(chunk), person_id__in=waiting).values_list(
            "person_id", "tube_id"
        )
    for person_id, tube_id in sorted(pairs):
        row = own[tube_id]
        test = _test_for(due.filter(stay__person_id=person_id), row.tested_at)
        if test is None:
            continue
        try:
            monitoring.record_test_result(
                test, row.result, reagent=row.reagent[:60], at=row.tested_at, now=now
            )
            batch.quarantine_tests += 1
        except ValidationError as exc:
            batch.notes.append(
                _("quarantine test %(id)d not updated: %(why)s")
                % {"id": test.pk, "why": "; ".join(exc.messages)}
            )


def _test_for(tests, at: datetime):
    """The required test this result answers: the one sampled, else the earliest due."""
    sampled = tests.filter(result=StayTest.Result.SAMPLED).order_by("due_on").first()
    if sampled is not None:
        return sampled
    return tests.filter(due_on__lte=timezone.localdate(at)).order_by("due_on").first()
