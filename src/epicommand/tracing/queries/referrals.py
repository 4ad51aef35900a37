"""Scoped reads of referrals. A referral is scoped by its receiving region (`visible_to`);
the sending side reads its own through `from_region`. So a county sees what was sent to
it (incoming) and what it sent (outgoing, the external ones with their delivery state);
a third county sees neither (404); the city office sees all, the escalated ones first
among what it must chase. Lists show ID numbers and phones masked; one referral in full
is an audited view (services.referrals.note_referral_viewed)."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from epicommand.core.access import scope_q

from ..models import Referral

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


def _outgoing_external(who, status: str):
    qs = outgoing(who).filter(is_external=True)
    return qs.filter(status=status) if status else qs


def outgoing_external_count(who, *, status: str = "") -> int:
    """The export's rows, counted for its audit event before the first row is sent."""
    return _outgoing_external(who, status).count()


def outgoing_external_rows(who, *, status: str = "", batch: int = 2000):
    """Every external referral the caller's scope sent, oldest first, read by key in
    batches: the export's rows."""
    qs = _outgoing_external(who, status).select_related("from_region").order_by("id")
    after = 0
    while True:
        rows = list(qs.filter(pk__gt=after)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].pk
