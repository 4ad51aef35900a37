"""Key-area control's figures on the command dashboard (core.dashboard registry) and
how `recount` rebuilds their counters from the tables (core.recount)."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.policy import active, fever_threshold
from epicommand.core.recount import Counted

from .models import Colour, HealthCode, Passage, Scan, Verdict

recount.register(
    Counted("codes_red", lambda: HealthCode.objects.filter(colour=Colour.RED)),
    Counted("codes_yellow", lambda: HealthCode.objects.filter(colour=Colour.YELLOW)),
    # Scans older than the policy's scan_days are deleted (control.retention): their days'
    # figures are history, which recount leaves as they stand.
    Counted("scans", lambda: Scan.objects.all(), "scanned_at", lambda: active().data.scan_days),
)

register(
    Figure(
        "codes_red",
        _("Red health codes"),
        "codes_red",
        Kind.STOCK,
        lambda region, day: list_url(
            "control:code_list", "/health-codes/", region=region, colour="red"
        ),
        "health_codes",
        "control",
    )
)
register(
    Figure(
        "codes_yellow",
        _("Yellow health codes"),
        "codes_yellow",
        Kind.STOCK,
        lambda region, day: list_url(
            "control:code_list", "/health-codes/", region=region, colour="yellow"
        ),
        "health_codes",
        "control",
    )
)


# Checkpoints ------------------------------------------------------------------------------
# Passages count on the day they happened (Asia/Shanghai), in the checkpoint's county.


def _fevers():
    return Passage.objects.filter(temperature__gte=fever_threshold())


def _passage_days() -> int:
    return active().data.passage_days  # older passages are deleted (control.retention)


recount.register(
    Counted("passages", lambda: Passage.objects.all(), "passed_at", _passage_days),
    Counted(
        "passages_denied",
        lambda: Passage.objects.filter(verdict=Verdict.DENY),
        "passed_at",
        _passage_days,
    ),
    Counted("checkpoint_fevers", _fevers, "passed_at", _passage_days),
)


def _passages(region: str, day, **params) -> str:
    return list_url(
        "control:passage_list",
        "/checkpoints/passages/",
        region=region,
        date_from=day.isoformat(),
        date_to=day.isoformat(),
        **params,
    )


def _passage_figure(key: str, label, **params) -> Figure:
    return Figure(
        key,
        label,
        key,
        Kind.FLOW,
        lambda region, day: _passages(region, day, **params),
        "checkpoints",
        "control",
    )


register(_passage_figure("passages", _("Checkpoint passages today")))
register(_passage_figure("passages_denied", _("Denied at checkpoints today"), verdict="deny"))
register(_passage_figure("checkpoint_fevers", _("Fevers at checkpoints today"), fever="on"))
