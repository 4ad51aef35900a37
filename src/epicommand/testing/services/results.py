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
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from epicommand.command import counters
from epicommand.core import audit, policy
from epicommand.core.access import Capability
from epicommand.core.bulk import bulk_update, chunks, many, naive_utc

from .. import progress
from ..models import Lab, Result, Sample, Tube
from . import recalls
from .labs import labs_visible_to, require

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
MAX_ROWS = 200_000
CLOCK_SKEW = timedelta(minutes=10)
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


def record_results(
    actor, lab: Lab, rows: Sequence[Mapping], *, now: datetime | None = None
) -> ResultBatch:
    """Record a lab's results for tubes it received. Every row is checked first; any error
    refuses the whole batch, naming `rows[3].ct_n`. A tube sent again with the same result
    is a replay (unchanged, listed in `replayed`); a different result is refused."""
    now = now or timezone.now()
    require(actor, Capability.RECORD_RESULTS)
    if not labs_visible_to(actor).filter(pk=lab.pk).exists():
        raise PermissionDenied(_("this is not your lab"))
    edition = policy.active()
    cleaned, errors = clean_rows(rows, edition, now)
    batch = ResultBatch()
    with transaction.atomic():
        tubes = _check_tubes(lab, cleaned, errors, batch)
        if errors:
            raise ValidationError(errors)
        if tubes:
            _apply(lab, tubes, batch, edition, now)
        audit.record(actor, "results.record", lab, reason=batch.summary)
    return batch


# Checking ------------------------------------------------------------------------------


def clean_rows(rows, edition, now: datetime) -> tuple[list[CleanRow], dict]:
    """Every row's shape and values, before the database is asked anything."""
    errors: dict[str, str] = {}
    if not isinstance(rows, list | tuple) or not rows:
        return [], {"rows": _("send at least one result")}
    if len(rows) > MAX_ROWS:
        return [], {"rows": _("at most %(n)d results a batch") % {"n": MAX_ROWS}}
    cleaned, first_of = [], {}
    for index, row in enumerate(rows):
        found = _clean_row(index, row, edition, now, errors)
        if found is None:
            continue
        earlier = first_of.get(found.tube)
        if earlier is None:
            first_of[found.tube] = found
            cleaned.append(found)
        elif earlier.result != found.result:
            errors[f"rows[{index}].tube"] = _(
                "tube %(t)s has another result in row %(i)d of this batch"
            ) % {"t": found.tube, "i": earlier.index}
    return cleaned, errors


def _clean_row(index: int, row, edition, now: datetime, errors: dict) -> CleanRow | None:
    at = f"rows[{index}]"
    if not isinstance(row, Mapping):
        errors[at] = _("must be an object with tube, result, Ct values, reagent, tested_at")
        return None
    before = len(errors)
    tube = row.get("tube")
    tube = tube.strip() if isinstance(tube, str) else ""
    if not tube:
        errors[f"{at}.tube"] = _("is required")
    elif len(tube) > 32:
        errors[f"{at}.tube"] = _("is longer than 32 characters")
    word = row.get("result")
    result = RESULT_WORDS.get(word.strip().lower()) if isinstance(word, str) else None
    if result is None:
        errors[f"{at}.result"] = _("must be negative, positive or invalid")
    cts = {name: _clean_ct(row.get(name), edition, f"{at}.{name}", errors) for name in CT_FIELDS}
    _check_cts_agree(result, cts, edition, at, errors)
    reagent = row.get("reagent") or ""
    if not isinstance(reagent, str):
        errors[f"{at}.reagent"] = _("must be text")
    elif len(reagent.strip()) > 100:
        errors[f"{at}.reagent"] = _("is longer than 100 characters")
    client_id = row.get("client_id")
    if client_id is not None and (not isinstance(client_id, str) or len(client_id) > 64):
        errors[f"{at}.client_id"] = _("must be text of at most 64 characters")
    tested_at = _clean_time(row.get("tested_at"), now, f"{at}.tested_at", errors)
    if len(errors) > before:
        return None
    return CleanRow(index, tube, result, *cts.values(), reagent.strip(), tested_at)


def _clean_ct(value, edition, name: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[name] = _("must be a number")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = _("must be a number")
        return None
    if not number.is_finite() or not edition.ct_min <= number <= edition.ct_max:
        errors[name] = _("%(v)s is outside the Ct range %(lo)s-%(hi)s") % {
            "v": value,
            "lo": edition.ct_min,
            "hi": edition.ct_max,
        }
        return None
    return number.quantize(Decimal("0.1"))


def _check_cts_agree(result, cts: dict, edition, at: str, errors: dict) -> None:
    """A positive needs a target detected (a Ct below the edition's cut-off); a negative
    cannot have one."""
    if any(f"{at}.{name}" in errors for name in CT_FIELDS):
        return
    below = Decimal(str(edition.ct_positive_below))
    detected = [name for name, v in cts.items() if v is not None and v < below]
    if result == R.POSITIVE and not detected:
        errors[f"{at}.ct_n"] = _("a positive result needs at least one Ct value below %(c)s") % {
            "c": edition.ct_positive_below
        }
    elif result == R.NEGATIVE and detected:
        errors[f"{at}.{detected[0]}"] = _(
            "a Ct below %(c)s means the target was detected: the result cannot be negative"
        ) % {"c": edition.ct_positive_below}


def _clean_time(value, now: datetime, name: str, errors: dict) -> datetime:
    if value is None or value == "":
        return now
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip().replace(" ", "T", 1))
        except ValueError:
            parsed = None
        if parsed is None:
            errors[name] = _("must be a date and time, such as 2021-01-12 08:30")
            return now
        value = parsed
    if not isinstance(value, datetime):
        errors[name] = _("must be a date and time")
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # Beijing time, as labs write it
    if value > now + CLOCK_SKEW:
        errors[name] = _("must not be in the future")
    return value


@dataclass
class _Tube:
    pk: int
    barcode: str
    capacity: int
    purpose: str
    round_id: int | None
    region_id: str
    row: CleanRow


def _check_tubes(lab: Lab, cleaned: list[CleanRow], errors: dict, batch: ResultBatch):
    """The tubes to result, locked; unknown tubes, tubes this lab never received and a
    second different result are errors; the same result again is a replay."""
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
    tubes = []
    for row in cleaned:
        found = stored.get(row.tube)
        name = f"rows[{row.index}].tube"
        if found is None:
            errors[name] = _("unknown tube %(t)s") % {"t": row.tube}
            continue
        pk, code, status, result, lab_id, capacity, purpose, round_id, region = found
        if lab_id != lab.pk or status not in (Tube.Status.RECEIVED, Tube.Status.RESULTED):
            errors[name] = _("tube %(t)s was never received by this lab") % {"t": code}
        elif status == Tube.Status.RESULTED and result == row.result:
            batch.replayed.append(code)
        elif status == Tube.Status.RESULTED:
            errors[name] = _(
                "tube %(t)s is already resulted %(r)s: a different result is refused"
            ) % {"t": code, "r": Result(result).label}
        else:
            tubes.append(_Tube(pk, code, capacity, purpose, round_id, region, row))
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
    from epicommand.tracing.services import cases

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
    from epicommand.quarantine.models import StayTest
    from epicommand.quarantine.queries_monitoring import CHECKED_STATUSES
    from epicommand.quarantine.services import monitoring

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
    from epicommand.quarantine.models import StayTest

    sampled = tests.filter(result=StayTest.Result.SAMPLED).order_by("due_on").first()
    if sampled is not None:
        return sampled
    return tests.filter(due_on__lte=timezone.localdate(at)).order_by("due_on").first()
