"""Record retention: records older than the policy's years (2) are purged by the nightly
round with an audit event counting them; nothing younger is touched; a positive sample
whose investigation is still open is kept with every batch its trace reaches. Time is made
to pass by coding batches in the past and purging "as of" a later day."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from epicommand.coldchain import tasks
from epicommand.coldchain.models import Batch, Certificate, ChainEvent, Holding, PositiveSample
from epicommand.coldchain.services import batches, movements, positives, retention
from epicommand.command.models import Task
from epicommand.core.models import AuditEvent

from .chain_world import attach_all, declare

NOW = timezone.now()
YEAR = timedelta(days=366)


def coded_at(importer_user, batch_number, when):
    """A batch declared, certified and coded at `when` (time made to pass)."""
    batch = declare(importer_user, batch_number, now=when)
    attach_all(importer_user, batch, now=when)
    code = batches.code_batch(importer_user, batch, now=when)
    batch.refresh_from_db()
    return batch, code


def test_records_older_than_the_years_go_and_younger_ones_stay(
    chain, django_capture_on_commit_callbacks
):
    old, code = coded_at(chain.importer_user, "OLD", NOW - 3 * YEAR)
    movements.dispatch(
        chain.importer_user,
        code,
        to_credit_code=chain.store.credit_code,
        quantity=5,
        now=NOW - 3 * YEAR,
        at=NOW - 3 * YEAR,
    )
    young, _ = coded_at(chain.importer_user, "YOUNG", NOW - YEAR)
    never_coded = declare(chain.importer_user, "ABANDONED", now=NOW - 3 * YEAR)
    files = list(Certificate.objects.filter(batch=old).values_list("file", flat=True))
    assert all(default_storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        purged = retention.purge_expired(today=timezone.localdate(NOW))
    assert set(Batch.objects.values_list("pk", flat=True)) == {young.pk}
    assert (purged.batches, purged.events, purged.holdings, purged.certificates) == (2, 2, 1, 3)
    assert not ChainEvent.objects.filter(batch_id=old.pk).exists()
    assert not Holding.objects.filter(batch_id=old.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert Certificate.objects.filter(batch=young).count() == 3
    assert Holding.objects.filter(batch=young).exists()
    event = AuditEvent.objects.get(action="coldchain.retention.purge")
    assert event.reason.startswith("2 batches (2 events, 1 holdings, 3 certificates)")
    assert never_coded.pk not in set(Batch.objects.values_list("pk", flat=True))


def test_a_batch_on_its_last_kept_day_stays(chain):
    batch, _ = coded_at(chain.importer_user, "EDGE", NOW - 2 * YEAR)
    retention.purge_expired(today=batch.keep_until)
    assert Batch.objects.filter(pk=batch.pk).exists()
    retention.purge_expired(today=batch.keep_until + timedelta(days=1))
    assert not Batch.objects.filter(pk=batch.pk).exists()


def test_an_open_investigation_keeps_its_sample_and_trace(chain, city_office):
    then = NOW - 3 * YEAR
    batch, code = coded_at(chain.importer_user, "TRACED", then)
    movements.dispatch(
        chain.importer_user,
        code,
        to_credit_code=chain.store.credit_code,
        quantity=5,
        now=then,
        at=then,
    )
    result = positives.record_positive_sample(
        city_office,
        kind="environment",
        enterprise_id=chain.importer.pk,
        sampled_at=then - timedelta(hours=1),
        lab_report="LAB-OLD",
        now=then,
    )
    assert Task.objects.filter(source_key__startswith="coldchain.sample:").exists()
    purged = retention.purge_expired(today=timezone.localdate(NOW))
    assert (purged.samples, purged.batches, purged.kept_open) == (0, 0, 1)
    assert PositiveSample.objects.filter(pk=result.sample.pk).exists()
    assert Batch.objects.filter(pk=batch.pk).exists()
    Task.objects.update(status=Task.Status.DONE)  # the counties finished their work
    purged = retention.purge_expired(today=timezone.localdate(NOW))
    assert (purged.samples, purged.batches, purged.kept_open) == (1, 1, 0)
    assert not Batch.objects.filter(pk=batch.pk).exists()


def test_the_nightly_round_purges_as_of_its_day(chain):
    old, _ = coded_at(chain.importer_user, "NIGHT", NOW - 3 * YEAR)
    assert tasks.purge_nightly.call(timezone.localdate(NOW).isoformat()) == 1
    assert not Batch.objects.filter(pk=old.pk).exists()
