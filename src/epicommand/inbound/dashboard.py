"""Inbound travellers' figures on the command dashboard (the "inbound" panel) and how
`recount` rebuilds their counters. Loaded by InboundConfig.ready()."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import OPEN_STAGES, Arrival, LoopAlarm, Suspension

recount.register(
    Counted("arrivals", lambda: Arrival.objects.all(), "arrived_at"),
    Counted("travellers_in_loop", lambda: Arrival.objects.filter(stage__in=OPEN_STAGES)),
    Counted("loop_alarms_open", lambda: LoopAlarm.objects.filter(resolved_at__isnull=True)),
    Counted(
        "suspensions_proposed",
        lambda: Suspension.objects.filter(status=Suspension.Status.PROPOSED).annotate(
            region_id=F("flight__region_id")
        ),
    ),
)


def _board(region: str, day, **params) -> str:
    return list_url("inbound:loop_board", "/inbound/loop/", region=region, **params)


for key, label, kind, link in (
    ("arrivals", _("Inbound travellers arrived"), Kind.FLOW, lambda r, d: _board(r, d)),
    (
        "travellers_in_loop",
        _("Travellers in the closed loop"),
        Kind.STOCK,
        lambda r, d: _board(r, d),
    ),
    (
        "loop_alarms_open",
        _("Closed-loop alarms open"),
        Kind.STOCK,
        lambda r, d: _board(r, d, alarms=1),
    ),
    (
        "suspensions_proposed",
        _("Route suspensions awaiting confirmation"),
        Kind.STOCK,
        lambda r, d: list_url("inbound:flights", "/inbound/flights/"),
    ),
):
    register(Figure(key, label, key, kind, link, "inbound", "inbound"))
