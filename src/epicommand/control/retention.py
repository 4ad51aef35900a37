"""What key-area control keeps, and for how long (core.retention): place-code scans for
the policy's `scan_days`, checkpoint passages for its `passage_days`; older ones are
deleted by the nightly round. Their dashboard figures stay: the days' counts are history
(control.dashboard declares the kept days to recount)."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from epicommand.core import retention
from epicommand.core.policy import active

from .models import Passage, Scan


@retention.rule("control.scan", _("place-code scans"), lambda: active().data.scan_days)
def purge_scans(before: datetime) -> int:
    return _delete(Scan.objects.filter(scanned_at__lt=before))


@retention.rule("control.passage", _("checkpoint passages"), lambda: active().data.passage_days)
def purge_passages(before: datetime) -> int:
    return _delete(Passage.objects.filter(passed_at__lt=before))


def _delete(rows) -> int:
    """One DELETE ... WHERE: nothing refers to a scan or a passage, so Django deletes
    them without reading them first (a month of a city's scans is millions of rows)."""
    return rows.delete()[0]
