"""Reads of the cold chain: what a caller may see (an enterprise its own batches, an official
the enterprises of their jurisdiction), the trace forward and back in one recursive query,
and the public chain of a batch without personal data."""

from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from epicommand.core import policy
from epicommand.core.access import scope_q
from epicommand.core.bulk import naive_utc

from .models import Batch, ChainEvent, Enterprise, EnterpriseAccount, Holding, PositiveSample

PAGE = 50


def _account_enterprise_id(who) -> int | None:
    if who is None:
        return None
    field = "user" if getattr(who, "is_person", False) else "token"
    return (
        EnterpriseAccount.objects.filter(**{field: who})
        .values_list("enterprise_id", flat=True)
        .first()
    )


def enterprises_visible_to(who):
    """An enterprise account sees its own enterprise; an official those of their scope."""
    own = _account_enterprise_id(who)
    if own is not None:
        return Enterprise.objects.visible_to(who).filter(pk=own)
    return Enterprise.objects.visible_to(who)


def batches_visible_to(who):
    """The batches the caller may see: an enterprise the batches it declared, holds or
    held, or that are on the way to it (its own); an official those declared or held by
    an enterprise in their jurisdiction."""
    own = _account_enterprise_id(who)
    if own is not None:
        if not enterprises_visible_to(who).exists():
            return Batch.objects.none()  # an account scoped away from its own enterprise
        held = Holding.objects.filter(enterprise_id=own).values("batch_id")
        coming = ChainEvent.objects.filter(destination_id=own).values("batch_id")
        return Batch.objects.filter(Q(first_stop_id=own) | Q(pk__in=held) | Q(pk__in=coming))
    held_here = Holding.objects.filter(scope_q(who, "region_id")).values("batch_id")
    return Batch.objects.filter(Q(pk__in=held_here) | scope_q(who, "region_id"))


def batch_page(who, *, after: int | None = None, coded: str = ""):
    """A keyset page of the caller's batches, newest first."""
    rows = batches_visible_to(who).select_related("first_stop").order_by("-pk")
    if after:
        rows = rows.filter(pk__lt=after)
    if coded == "yes":
        rows = rows.filter(coded_at__isnull=False)
    elif coded == "no":
        rows = rows.filter(coded_at__isnull=True)
    return list(rows[:PAGE])


def holdings_of(who, batch: Batch):
    """The holders of a batch the caller may see: all of them for an official of the
    first stop's jurisdiction or of a holder's; an enterprise its own line only."""
    own = _account_enterprise_id(who)
    rows = Holding.objects.filter(batch=batch).select_related("enterprise")
    if own is not None:
        rows = rows.filter(enterprise_id=own)
    return list(rows.order_by("first_received_at", "pk"))


def events_of(who, batch: Batch):
    own = _account_enterprise_id(who)
    rows = ChainEvent.objects.filter(batch=batch).select_related(
        "enterprise", "source", "destination"
    )
    if own is not None:
        rows = rows.filter(Q(enterprise_id=own) | Q(source_id=own) | Q(destination_id=own))
    return list(rows)


# The trace, forward and back -----------------------------------------------------------


class Reached(NamedTuple):
    """A holder of a batch the trace reached: downstream of the sample's place ("down"),
    or on the way back up to the first stop ("up"). A named tuple: the rows are built as
    they come from the cursor, with no per-field work in Python."""

    direction: str
    enterprise_id: int
    batch_id: int
    shipped_in: int  # packages dispatched to it (received or still on the way)
    received: int
    on_hand: int
    sold: int
    sealed: int
    region_id: str


# The way up leaves out the seeds themselves: every seed is the sample's place, and the way
# up keeps a seed's batch, so "not the sample's place" is "not a seed" (a NOT EXISTS over
# the seeds made SQLite build an index of them at every call).
# A holder's region is its holding line's (the enterprise's only for goods still on the way
# to a holder without a line): one look-up fewer a row.
# CROSS JOIN keeps SQLite from scanning the events as the outer loop (it then walks the
# chainevent_walk and chainevent_back indexes from each reached holder); PostgreSQL plans
# it as the same inner join.
_TRACE_SQL = """
WITH RECURSIVE
seeds(enterprise_id, batch_id) AS ({seeds}),
down(enterprise_id, batch_id) AS (
    SELECT enterprise_id, batch_id FROM seeds
    UNION
    SELECT e.destination_id, e.batch_id
    FROM down d CROSS JOIN {events} e
    WHERE e.enterprise_id = d.enterprise_id AND e.batch_id = d.batch_id
      AND e.biz_step = 'shipping'
),
up(enterprise_id, batch_id) AS (
    SELECT enterprise_id, batch_id FROM seeds
    UNION
    SELECT e.enterprise_id, e.batch_id
    FROM up u CROSS JOIN {events} e
    WHERE e.destination_id = u.enterprise_id AND e.batch_id = u.batch_id
      AND e.biz_step = 'shipping'
),
reached(direction, enterprise_id, batch_id) AS (
    SELECT 'down', enterprise_id, batch_id FROM down
    UNION ALL
    SELECT 'up', enterprise_id, batch_id FROM up WHERE up.enterprise_id <> %s
)
SELECT r.direction, r.enterprise_id, r.batch_id,
       (SELECT COALESCE(SUM(i.quantity), 0) FROM {events} i
        WHERE i.batch_id = r.batch_id AND i.destination_id = r.enterprise_id
          AND i.biz_step = 'shipping'),
       COALESCE(h.received, 0), COALESCE(h.on_hand, 0), COALESCE(h.sold, 0),
       COALESCE(h.sealed, 0),
       COALESCE(h.region_id, (SELECT x.region_id FROM {enterprises} x
                              WHERE x.id = r.enterprise_id))
FROM reached r
LEFT JOIN {holdings} h ON h.enterprise_id = r.enterprise_id AND h.batch_id = r.batch_id
"""


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "events": quote(ChainEvent._meta.db_table),
        "holdings": quote(Holding._meta.db_table),
        "enterprises": quote(Enterprise._meta.db_table),
    }


@cache
def _trace_sql(vendor: str, one_batch: bool, since: bool) -> str:
    """The trace's SQL for one shape of seeds, built once per process (the text is the
    same at every call, so the database's statement cache serves it too)."""
    tables = _tables()
    seeds = f"SELECT enterprise_id, batch_id FROM {tables['holdings']} WHERE enterprise_id = %s"
    if one_batch:
        seeds += " AND batch_id = %s"
    if since:
        seeds += " AND first_received_at >= %s"
    return _TRACE_SQL.format(seeds=seeds, **tables)


def trace(enterprise_id: int, *, batch_id: int | None = None, since: datetime | None = None):
    """Every holder downstream of `enterprise_id` for one batch (a product or package
    sample), or for every batch it received since `since` (an environment sample), with
    their quantities, and the holders back up to the first stop: ONE recursive query on
    SQLite and PostgreSQL alike."""
    params: list = [enterprise_id]
    if batch_id is not None:
        params.append(batch_id)
    if since is not None:
        params.append(naive_utc(since))
    params.append(enterprise_id)  # the way up leaves out the sample's place
    sql = _trace_sql(connection.vendor, batch_id is not None, since is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(Reached._make, cursor.fetchall()))


def trace_of_sample(sample: PositiveSample) -> list[Reached]:
    """The trace a positive sample starts: its batch from its place (a product or package),
    or every batch its place received in the policy's days before sampling (environment)."""
    since = None
    if sample.batch_id is None:
        since = sample.sampled_at - timedelta(days=policy.active().coldchain_environment_days)
    return trace(sample.enterprise_id, batch_id=sample.batch_id, since=since)


def shipments_between(reached: list[Reached]) -> list[tuple[int, int, int, int]]:
    """(from, to, batch, packages) of the dispatches among the holders a trace reached:
    the trace-forward graph's edges."""
    pairs = {(r.enterprise_id, r.batch_id) for r in reached}
    batches = {r.batch_id for r in reached}
    totals: dict[tuple[int, int, int], int] = {}
    rows = ChainEvent.objects.filter(
        batch_id__in=batches, biz_step=ChainEvent.Step.SHIPPING
    ).values_list("enterprise_id", "destination_id", "batch_id", "quantity")
    for source, target, batch, quantity in rows:
        if (source, batch) in pairs and (target, batch) in pairs:
            totals[(source, target, batch)] = totals.get((source, target, batch), 0) + quantity
    return [(s, t, b, q) for (s, t, b), q in sorted(totals.items())]


def public_chain(batch: Batch) -> list[dict]:
    """What a consumer sees: each step of the batch's way, by the kind of enterprise, its
    name and county, and the date; no person, no quantity of a business's stock."""
    rows = (
        ChainEvent.objects.filter(batch=batch)
        .exclude(biz_step=ChainEvent.Step.RETAIL_SELLING)
        .select_related("enterprise__region")
    )
    return [
        {
            "step": event.get_biz_step_display(),
            "kind": event.enterprise.get_kind_display(),
            "name": event.enterprise.name,
            "region": event.enterprise.region.name,
            "at": event.event_time,
        }
        for event in rows
    ]
