"""Record retention: cold-chain records are kept the edition's `coldchain_record_years` (2),
then purged by a nightly round (`epicommand purge-coldchain-records --schedule`).

What goes, with an audit event counting it:
- a coded batch whose keep-until date (coding day + the years) has passed, with its
  certificates (and their files), holdings and chain events;
- a batch declared but never coded more than the years ago (its certificates' files too);
- a positive sample recorded more than the years ago.

What stays:
- anything younger: the cut is a date, and nothing after it is read for deletion;
- a positive sample whose investigation is still open (a county task it raised not done or
  cancelled, or a person it exposed still to investigate in tracing), and every batch its
  trace reaches, however old: the investigation needs the chain it is working on;
- a batch a kept positive sample names (the sample's record refers to it).
The enterprises, their staff and accounts are registrations, not chain records: they stay."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from epicommand.command.models import Task
from epicommand.command.queries import OPEN_STATUSES
from epicommand.core import audit, policy
from epicommand.core.bulk import chunks
from epicommand.tracing.models import Exposure

from .. import queries
from ..models import Batch, Certificate, ChainEvent, Holding, PositiveSample

SAMPLE_KEY = "coldchain.sample:"


@dataclass
class Purged:
    batches: int = 0
    events: int = 0
    holdings: int = 0
    certificates: int = 0
    samples: int = 0
    kept_open: int = 0  # old samples kept because their investigation is open

    def summary(self) -> str:
        return (
            f"{self.batches} batches ({self.events} events, {self.holdings} holdings, "
            f"{self.certificates} certificates) and {self.samples} positive samples purged; "
            f"{self.kept_open} old samples kept for open investigations"
        )


def cut_off(today: date) -> date:
    """The first day still kept: today less the policy's years."""
    return today - timedelta(days=round(365.25 * policy.active().coldchain_record_years))


def _sample_ids(keys) -> set[int]:
    """The positive samples named by source keys "coldchain.sample:<id>:<...>"."""
    return {int(key[len(SAMPLE_KEY) :].split(":")[0]) for key in keys}


def open_sample_ids() -> set[int]:
    """Positive samples whose investigation is open: a task or an exposure still to do."""
    tasks = Task.objects.filter(source_key__startswith=SAMPLE_KEY, status__in=OPEN_STATUSES)
    exposed = Exposure.objects.filter(
        source_key__startswith=SAMPLE_KEY, status=Exposure.Status.TO_INVESTIGATE
    )
    return _sample_ids(tasks.values_list("source_key", flat=True)) | _sample_ids(
        exposed.values_list("source_key", flat=True)
    )


def purge_expired(*, today: date | None = None) -> Purged:
    """Purge what is past its keeping (see the module's note); audited as one event."""
    today = today or timezone.localdate()
    first_kept = cut_off(today)
    before = timezone.make_aware(datetime.combine(first_kept, time()))
    purged = Purged()
    with transaction.atomic():
        open_ids = open_sample_ids()
        old = PositiveSample.objects.filter(recorded_at__lt=before)
        purged.kept_open = old.filter(pk__in=open_ids).count()
        purged.samples, _ = old.exclude(pk__in=open_ids).delete()
        doomed = _expired_batches(today, before) - _batches_kept(open_ids)
        for chunk in chunks(sorted(doomed)):
            _purge_batches(chunk, purged)
        audit.record(
            None,
            "coldchain.retention.purge",
            object_type="coldchain.batch",
            reason=purged.summary(),
        )
    return purged


def _expired_batches(today: date, before: datetime) -> set[int]:
    expired = Q(keep_until__lt=today) | Q(coded_at__isnull=True, declared_at__lt=before)
    return set(Batch.objects.filter(expired).values_list("pk", flat=True))


def _batches_kept(open_ids: set[int]) -> set[int]:
    """Batches a remaining positive sample names, and every batch an open sample's trace
    reaches (environment samples name none: their trace is what they concern)."""
    kept = set(
        PositiveSample.objects.filter(batch__isnull=False).values_list("batch_id", flat=True)
    )
    for sample in PositiveSample.objects.filter(pk__in=open_ids):
        kept |= {r.batch_id for r in queries.trace_of_sample(sample)}
    return kept


def _purge_batches(batch_ids: list[int], purged: Purged) -> None:
    files = list(Certificate.objects.filter(batch_id__in=batch_ids).values_list("file", flat=True))
    purged.events += ChainEvent.objects.filter(batch_id__in=batch_ids).delete()[0]
    purged.holdings += Holding.objects.filter(batch_id__in=batch_ids).delete()[0]
    purged.certificates += Certificate.objects.filter(batch_id__in=batch_ids).delete()[0]
    purged.batches += Batch.objects.filter(pk__in=batch_ids).delete()[0]
    # The files go once the rows are gone for good (a rolled-back purge keeps them).
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
