"""The cold chain's figures on the command dashboard (core.dashboard registry) and how
`recount` rebuilds their counters from the tables (core.recount)."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import Batch, Holding, PositiveSample

recount.register(
    Counted(
        "chain_batches_coded", lambda: Batch.objects.filter(coded_at__isnull=False), "coded_at"
    ),
    Counted("chain_positive_samples", lambda: PositiveSample.objects.all(), "recorded_at"),
    Counted("chain_holders_sealed", lambda: Holding.objects.filter(sealed_at__isnull=False)),
)

register(
    Figure(
        "chain_batches_coded",
        _("Cold-chain batches coded today"),
        "chain_batches_coded",
        Kind.FLOW,
        lambda region, day: list_url("coldchain:batch_list", "/cold-chain/", region=region),
        "cold_chain",
        "coldchain",
    )
)
register(
    Figure(
        "chain_positive_samples",
        _("Positive cold-chain samples today"),
        "chain_positive_samples",
        Kind.FLOW,
        lambda region, day: list_url("coldchain:sample_list", "/cold-chain/samples/"),
        "cold_chain",
        "coldchain",
    )
)
register(
    Figure(
        "chain_holders_sealed",
        _("Cold-chain holders with sealed stock"),
        "chain_holders_sealed",
        Kind.STOCK,
        lambda region, day: list_url("coldchain:sample_list", "/cold-chain/samples/"),
        "cold_chain",
        "coldchain",
    )
)
