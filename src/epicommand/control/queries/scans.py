"""Scoped reads of place-code scans: keyset pages of the scans of persons in the reader's
jurisdiction (a scan is scoped by its person's region of residence, wherever the venue).

Two orders, each served by an index:
- one person's or one venue's scans run newest scan first, on (person, scanned_at) or
  (venue, scanned_at); the cursor is "<scanned_at in microseconds>-<id>";
- any other list runs newest recorded first, on the primary key (the rows of a district
  are spread over (region, scanned_at) ranges that no index orders by time as a whole,
  and sorting a district's month of scans for each page would read all of them); the
  cursor is the id.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from ..models import Scan

PAGE_SIZE = 50
MAX_PAGE = 500
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ScanFilter:
    person_id: int | None = None
    venue_id: int | None = None
    since: datetime | None = None  # scanned at or after
    until: datetime | None = None  # scanned before

    @property
    def by_time(self) -> bool:
        return self.person_id is not None or self.venue_id is not None


def scan_page(who, filters: ScanFilter, *, after: str | None = None, limit: int = PAGE_SIZE):
    """One page of the scans `who` may see, with the person and venue, and the cursor of
    the next page (None on the last)."""
    scans = Scan.objects.visible_to(who).select_related("person", "venue", "region")
    if filters.person_id is not None:
        scans = scans.filter(person_id=filters.person_id)
    if filters.venue_id is not None:
        scans = scans.filter(venue_id=filters.venue_id)
    if filters.since is not None:
        scans = scans.filter(scanned_at__gte=filters.since)
    if filters.until is not None:
        scans = scans.filter(scanned_at__lt=filters.until)
    limit = max(1, min(limit, MAX_PAGE))
    if filters.by_time:
        if cursor := _parse_time_cursor(after):
            at, pk = cursor
            scans = scans.filter(Q(scanned_at__lt=at) | Q(scanned_at=at, id__lt=pk))
        rows = list(scans.order_by("-scanned_at", "-id")[: limit + 1])
        more = len(rows) > limit
        return rows[:limit], _time_cursor(rows[limit - 1]) if more else None
    if cursor := _parse_id_cursor(after):
        scans = scans.filter(id__lt=cursor)
    rows = list(scans.order_by("-id")[: limit + 1])
    more = len(rows) > limit
    return rows[:limit], str(rows[limit - 1].pk) if more else None


def _time_cursor(scan: Scan) -> str:
    at = scan.scanned_at.astimezone(UTC)
    micros = (at - datetime(1970, 1, 1, tzinfo=UTC)) // _MICROSECOND
    return f"{micros}-{scan.pk}"


def _parse_time_cursor(value) -> tuple[datetime, int] | None:
    """Anything malformed starts from the top."""
    micros, _, pk = str(value or "").partition("-")
    if not (micros.isdigit() and len(micros) <= 17 and pk.isdigit() and len(pk) <= 18):
        return None
    try:
        at = datetime(1970, 1, 1, tzinfo=UTC) + int(micros) * _MICROSECOND
    except OverflowError:
        return None
    return at, int(pk)


def _parse_id_cursor(value) -> int | None:
    value = str(value or "")
    return int(value) or None if value.isdigit() and len(value) <= 18 else None
