"""Scoped reads of checkpoints, their logs, permits, lockdowns and the priority-testing list.

Checkpoints, passages, permits and lockdowns are scoped by their own region (a passage by
its checkpoint's: it is the checkpoint's log); the priority-testing list by the person's
region of residence. Every list runs by key:
- checkpoints by id (an officer's own unit's checkpoints listed first, in full);
- passages newest recorded first, by id: a district's passages are spread over many
  checkpoints and no index orders all of them by time, so paging by time would sort a
  district's month for every page (the checkpoint filter still reads its own index);
- permits newest first, by id; lockdowns are few and listed whole;
- the priority-testing list by deadline, then id; the cursor is "<deadline µs>-<id>".
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from epicommand.core.access import scope_code, scope_q, typed_region_q
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name
from epicommand.core.policy import fever_threshold
from epicommand.testing.models import PriorityTest

from ..levels import ancestor_codes
from ..models import Checkpoint, Lockdown, Passage, VehiclePermit

PAGE_SIZE = 50
MAX_PAGE = 500
LOCKDOWNS_LISTED = 500
# Days a filter may name as such: beyond them a bound is "none" (or nothing matches), for
# year 1 or 9999 would overflow on the way to UTC.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9000, 1, 1)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def _id_cursor(value) -> int | None:
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if 0 < cursor <= MAX_ID else None


def _local_midnight(day: date, plus_days: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))


# Checkpoints -------------------------------------------------------------------------------


def _id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise Http404  # no row has it, and the database would refuse to compare it
    return value


def checkpoint_to_record_at(who, checkpoint_id: int) -> Checkpoint:
    """The checkpoint with only what recording a passage reads: a device's hot path."""
    fields = ("id", "name", "region_id", "is_active")
    return get_object_or_404(
        Checkpoint.objects.visible_to(who).only(*fields), pk=_id(checkpoint_id)
    )


def visible_checkpoint(who, checkpoint_id: int) -> Checkpoint:
    """The checkpoint if it lies in `who`'s jurisdiction; 404 otherwise."""
    return get_object_or_404(
        Checkpoint.objects.visible_to(who).select_related("region", "venue"), pk=_id(checkpoint_id)
    )


@dataclass(frozen=True)
class CheckpointFilter:
    region: str | None = None
    kind: str = ""
    active: bool | None = None


def checkpoint_page(
    who, filters: CheckpointFilter, *, after=None, limit: int = PAGE_SIZE, exclude=()
) -> tuple[list[Checkpoint], int | None]:
    """One page of the checkpoints `who` sees, by id, each with its region and units."""
    rows = Checkpoint.objects.visible_to(who).select_related("region", "venue")
    rows = rows.filter(typed_region_q(filters.region, "region_id"))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    if exclude:
        rows = rows.exclude(pk__in=list(exclude))
    if cursor := _id_cursor(after):
        rows = rows.filter(id__gt=cursor)
    limit = _limit(limit)
    found = list(rows.prefetch_related("units").order_by("id")[: limit + 1])
    more = len(found) > limit
    return found[:limit], found[limit - 1].id if more else None


def staffed_by_my_unit(user) -> list[Checkpoint]:
    """The checkpoints the user's unit staffs, in the user's jurisdiction: an officer's
    own posts, listed first."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return []
    return list(
        Checkpoint.objects.visible_to(user)
        .filter(units=unit_id)
        .select_related("region", "venue")
        .prefetch_related("units")
        .order_by("-is_active", "name", "id")[:200]
    )


# Passages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassageFilter:
    checkpoint_id: int | None = None
    region: str | None = None
    verdict: str = ""
    direction: str = ""
    date_from: date | None = None  # Beijing days, inclusive
    date_to: date | None = None
    plate: str = ""
    fever: bool = False
    person_id: int | None = None


def passage_page(
    who, filters: PassageFilter, *, after=None, limit: int = PAGE_SIZE
) -> tuple[list[Passage], int | None]:
    """One page of the passages through checkpoints in `who`'s jurisdiction, newest
    recorded first, with the checkpoint and the person (for masked display)."""
    rows = Passage.objects.visible_to(who).select_related("checkpoint", "person", "permit")
    if filters.checkpoint_id is not None:
        rows = rows.filter(checkpoint_id=filters.checkpoint_id)
    rows = rows.filter(typed_region_q(filters.region, "region_id"))
    if filters.verdict:
        rows = rows.filter(verdict=filters.verdict)
    if filters.direction:
        rows = rows.filter(direction=filters.direction)
    if filters.date_from:
        if filters.date_from > LATEST_DAY:
            return [], None
        if filters.date_from > EARLIEST_DAY:
            rows = rows.filter(passed_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        if filters.date_to < EARLIEST_DAY:
            return [], None
        if filters.date_to < LATEST_DAY:
            rows = rows.filter(passed_at__lt=_local_midnight(filters.date_to, 1))
    if filters.plate:
        rows = rows.filter(plate=filters.plate)
    if filters.fever:
        rows = rows.filter(temperature__gte=fever_threshold())
    if filters.person_id is not None:
        rows = rows.filter(person_id=filters.person_id)
    if cursor := _id_cursor(after):
        rows = rows.filter(id__lt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("-id")[: limit + 1])
    for passage in found:
        passage.person_masked_name = mask_name(passage.person.name)
    more = len(found) > limit
    return found[:limit], found[limit - 1].id if more else None


# Permits and lockdowns -------------------------------------------------------------------------


PERMIT_STATUSES = ("valid", "expired", "revoked")


def visible_permit(who, permit_id: int) -> VehiclePermit:
    return get_object_or_404(
        VehiclePermit.objects.visible_to(who).select_related("region", "issued_by"),
        pk=_id(permit_id),
    )


def permit_page(
    who, *, plate: str = "", status: str = "", after=None, limit: int = PAGE_SIZE, now=None
) -> tuple[list[VehiclePermit], int | None]:
    now = now or timezone.now()
    rows = VehiclePermit.objects.visible_to(who).select_related("region", "issued_by")
    if plate:
        rows = rows.filter(plate=plate)
    if status == "valid":
        rows = rows.filter(revoked_at__isnull=True, valid_until__gt=now)
    elif status == "expired":
        rows = rows.filter(revoked_at__isnull=True, valid_until__lte=now)
    elif status == "revoked":
        rows = rows.filter(revoked_at__isnull=False)
    if cursor := _id_cursor(after):
        rows = rows.filter(id__lt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("-id")[: limit + 1])
    for permit in found:
        permit.status = permit_status(permit, now)
    more = len(found) > limit
    return found[:limit], found[limit - 1].id if more else None


def permit_status(permit: VehiclePermit, now: datetime) -> str:
    if permit.revoked_at is not None:
        return "revoked"
    if permit.valid_until <= now:
        return "expired"
    if permit.valid_from > now:
        return "not_yet_valid"
    return "valid"


def visible_lockdown(who, lockdown_id: int) -> Lockdown:
    return get_object_or_404(
        Lockdown.objects.visible_to(who).select_related("region", "declared_by"),
        pk=_id(lockdown_id),
    )


def lockdown_list(who, *, include_lifted: bool = False) -> list[Lockdown]:
    """The lockdowns in `who`'s jurisdiction, and those in force over it from above (a
    county officer must know the city is closed), newest first."""
    code = scope_code(who)
    if code is None:
        return []
    above = ancestor_codes(code)
    inside = scope_q(who, "region_id")
    over = Q(region_id__in=above, lifted_at__isnull=True)
    rows = Lockdown.objects.filter(inside | over)
    if not include_lifted:
        rows = rows.filter(lifted_at__isnull=True)
    return list(
        rows.select_related("region", "declared_by").order_by("-declared_at", "-id")[
            :LOCKDOWNS_LISTED
        ]
    )


# Priority testing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityFilter:
    region: str | None = None
    overdue: bool = False
    include_sampled: bool = False
    reason: str = ""


def priority_test_page(
    who, filters: PriorityFilter, *, after=None, limit: int = PAGE_SIZE, now=None
) -> tuple[list[PriorityTest], str | None]:
    """Persons to sample first, in `who`'s jurisdiction by their region of residence,
    most urgent first; each row has `overdue` set and the person's name masked."""
    now = now or timezone.now()
    rows = PriorityTest.objects.visible_to(who).select_related("person", "region")
    if not filters.include_sampled:
        rows = rows.filter(sampled_at__isnull=True)
    rows = rows.filter(typed_region_q(filters.region, "region_id"))
    if filters.overdue:
        rows = rows.filter(sampled_at__isnull=True, deadline__lt=now)
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    if cursor := _parse_deadline_cursor(after):
        at, pk = cursor
        rows = rows.filter(Q(deadline__gt=at) | Q(deadline=at, id__gt=pk))
    limit = _limit(limit)
    found = list(rows.order_by("deadline", "id")[: limit + 1])
    for entry in found:
        entry.overdue = entry.sampled_at is None and entry.deadline < now
        entry.person_masked_name = mask_name(entry.person.name)
    more = len(found) > limit
    return found[:limit], _deadline_cursor(found[limit - 1]) if more else None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _deadline_cursor(entry: PriorityTest) -> str:
    micros = (entry.deadline - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}-{entry.pk}"


def _parse_deadline_cursor(value) -> tuple[datetime, int] | None:
    """Opaque to callers; anything malformed starts from the top."""
    micros, _, pk = str(value or "").partition("-")
    if not (micros.isdigit() and pk.isdigit() and len(micros) <= 18 and len(pk) <= 18):
        return None
    try:
        at = _EPOCH + timedelta(microseconds=int(micros))
    except OverflowError:
        return None
    return at, int(pk)
