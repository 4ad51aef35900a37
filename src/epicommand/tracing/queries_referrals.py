"""Scoped reads of referrals. A referral is scoped by its receiving region (`visible_to`);
the sending side reads its own through `from_region`. So a county sees what was sent to
it (incoming) and what it sent (outgoing, the external ones with their delivery state);
a third county sees neither (404); the city office sees all, the escalated ones first
among what it must chase. Lists show ID numbers and phones masked; one referral in full
is an audited view (services.referrals.note_referral_viewed)."""

import csv
import io
import json

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from epicommand.core.access import scope_q

from .models import Referral
from .services.referrals import note_referrals_exported, payload

PAGE_SIZE = 50
OPEN = (Referral.Status.SENT, Referral.Status.ESCALATED)
DIRECTIONS = ("incoming", "outgoing", "escalated")


def _sent_from_scope(who) -> Q:
    return scope_q(who, "from_region_id")


def incoming(who):
    """Referrals into the caller's scope from another county of the city."""
    return Referral.objects.visible_to(who).filter(is_external=False)


def outgoing(who):
    """Referrals the caller's scope sent: to another county, or outside the city."""
    return Referral.objects.filter(_sent_from_scope(who))


def escalated(who):
    """Escalated referrals in the caller's scope, whichever side: the city office's list."""
    return Referral.objects.visible_to(who).filter(status=Referral.Status.ESCALATED)


def is_overdue(referral: Referral, now=None) -> bool:
    """Still awaiting acknowledgement past its deadline (escalated ones included)."""
    return referral.status in OPEN and referral.ack_deadline < (now or timezone.now())


def visible_referral(who, referral_id: int) -> Referral:
    """A referral the caller received or sent; 404 for anyone else."""
    received = Referral.objects.visible_to(who).filter(pk=referral_id)
    rows = received if received.exists() else outgoing(who).filter(pk=referral_id)
    referral = rows.select_related("region", "from_region", "case", "sent_by").first()
    if referral is None:
        raise Http404
    return referral


def referral_page(
    who,
    *,
    direction: str = "incoming",
    status: str = "",
    external: bool | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
):
    """One keyset page, newest first: (rows, cursor of the next page or None)."""
    qs = {"incoming": incoming, "outgoing": outgoing, "escalated": escalated}[direction](who)
    if status:
        qs = qs.filter(status=status)
    if external is not None:
        qs = qs.filter(is_external=external)
    if after:
        qs = qs.filter(pk__lt=after)
    qs = qs.select_related("region", "from_region").order_by("-id")
    rows = list(qs[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


def open_incoming_count(user) -> int:
    """The navigation badge: incoming referrals still awaiting acknowledgement. One count
    over the (region, status) index, of a set that stays small (acknowledged ones drop
    out)."""
    return incoming(user).filter(status__in=OPEN).count()


def outgoing_external_rows(who, *, status: str = "", batch: int = 2000):
    """Every external referral the caller's scope sent, oldest first, read by key in
    batches: the export's rows."""
    qs = outgoing(who).filter(is_external=True)
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("from_region").order_by("id")
    after = 0
    while True:
        rows = list(qs.filter(pk__gt=after)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].pk


# Exports ----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "referral_id",
    "sent_at",
    "acknowledge_by",
    "from_region_code",
    "from_region",
    "destination_code",
    "destination",
    "name",
    "id_number",
    "phone",
    "address",
    "degree",
    "last_exposure_at",
    "case_id",
    "status",
    "delivery_attempts",
    "delivered_at",
    "acknowledged_at",
    "acknowledged_by",
    "last_error",
)


def export_record(referral: Referral) -> dict:
    """One exported referral: the webhook's payload and its delivery state, in full (the
    export is for the receiving authority; it is audited, not masked)."""

    def iso(at):
        return at.isoformat() if at else None

    return {
        **payload(referral),
        "status": referral.status,
        "delivery_attempts": referral.delivery_attempts,
        "delivered_at": iso(referral.delivered_at),
        "acknowledged_at": iso(referral.acknowledged_at),
        "acknowledged_by": referral.acknowledged_by,
        "last_error": referral.last_error,
    }


def export_csv(who, *, status: str = ""):
    """Yields CSV text chunks of the outgoing external referrals; audited once at the end."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for referral in outgoing_external_rows(who, status=status):
        record = export_record(referral)
        writer.writerow(["" if record[c] is None else record[c] for c in EXPORT_COLUMNS])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
    note_referrals_exported(who, count=count, fmt="csv")


def export_json(who, *, status: str = ""):
    """Yields a JSON array of the outgoing external referrals; audited once at the end."""
    count = 0
    yield "["
    for referral in outgoing_external_rows(who, status=status):
        yield ("," if count else "") + json.dumps(export_record(referral), ensure_ascii=False)
        count += 1
    yield "]"
    note_referrals_exported(who, count=count, fmt="json")
