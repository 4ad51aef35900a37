"""Testing's figures on the command dashboard (the "testing" panel) and how `recount`
rebuilds their counters from the tables. Loaded by TestingConfig.ready().

The sampling, result and recall services bump these counters in the same transaction as
the change (core/counters.py names each metric and the region it is kept by)."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import Recall, Sample, Tube

IN_TRANSIT = (Tube.Status.CLOSED, Tube.Status.BOXED, Tube.Status.RECEIVED)


def _rounds(region: str, day, **params) -> str:
    return list_url("testing:round_list", "/testing/rounds/", region=region, **params)


recount.register(
    # By the person's region of residence, on the day of the swab.
    Counted("samples_taken", lambda: Sample.objects.all(), "sampled_at"),
    # By the site's region: closed at a site and not yet resulted.
    Counted("tubes_in_transit", lambda: Tube.objects.filter(status__in=IN_TRANSIT)),
    Counted("recalls_open", lambda: Recall.objects.filter(status=Recall.Status.PENDING)),
    Counted(
        "positive_samples",
        lambda: Sample.objects.filter(status=Sample.Status.POSITIVE),
        "resulted_at",
    ),
)

register(
    Figure(
        "samples_taken",
        _("Samples taken today"),
        "samples_taken",
        Kind.FLOW,
        lambda region, day: _rounds(region, day),
        "testing",
        "testing",
    )
)
register(
    Figure(
        "tubes_in_transit",
        _("Tubes in transit to labs"),
        "tubes_in_transit",
        Kind.STOCK,
        lambda region, day: _rounds(region, day, status="open"),
        "testing",
        "testing",
    )
)
register(
    Figure(
        "recalls_open",
        _("Positive-pool members to re-sample"),
        "recalls_open",
        Kind.STOCK,
        lambda region, day: list_url("testing:recall_list", "/testing/recalls/", region=region),
        "testing",
        "testing",
    )
)
register(
    Figure(
        "positive_samples",
        _("Positives today"),
        "positive_samples",
        Kind.FLOW,
        lambda region, day: _rounds(region, day),
        "testing",
        "testing",
    )
)
