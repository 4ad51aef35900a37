"""Place-code co-presence: who was at the same place as a case while the case was there.

A case's visit at a venue, widened by the policy's `copresence_margin_minutes` each side,
is a *window*. A scan means its person was at the venue from the scan for
`copresence_dwell_minutes` (a *presence*). A person overlaps a visit for the length of the
union of their presences cut to the window; per person the overlaps are summed over the
case's visits, with the number of visits shared, the venue where they overlapped longest
and the last moment of overlap anywhere. The ranking (longest first) is what the
epidemiologist confirms candidates from.

The arithmetic is a pure function (`rank_overlaps`) tested against a brute-force reference;
the database part only fetches the scans that can overlap a window, through the
(venue, scanned_at) index, with one query for many windows (`scans_for_windows`). The batch
form (`overlaps_for_cases`) merges the windows of many cases per venue first, so a venue
and time that several cases share is read once."""

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from epicommand.control.models import Scan
from epicommand.core import policy

from ..models import Case, Visit

# Windows per scan query: an OR of this many index ranges keeps a statement small enough
# for SQLite's expression-depth limit and PostgreSQL's planner alike.
WINDOWS_PER_QUERY = 200


@dataclass(frozen=True)
class Window:
    """A case's visit at a venue, already widened by the margin."""

    venue_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Presence:
    """One scan: its person at the venue from `scanned_at` for the dwell time."""

    person_id: int
    venue_id: int
    scanned_at: datetime


@dataclass(frozen=True)
class Overlap:
    person_id: int
    overlap: timedelta  # summed over the case's visits
    visits: int  # how many of the case's visits the person overlapped
    venue_id: int  # where they overlapped longest
    last_overlap_at: datetime

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up so that any overlap shows as at least one."""
        return math.ceil(self.overlap.total_seconds() / 60)


def visit_windows(visits: Iterable[Visit], *, edition=None) -> list[Window]:
    """The windows of the visits co-presence looks at: suggested or confirmed, at a venue."""
    margin = timedelta(minutes=(edition or policy.active()).copresence_margin_minutes)
    return [
        Window(v.venue_id, v.started_at - margin, v.ended_at + margin)
        for v in visits
        if v.venue_id is not None and v.status in _SEARCHED_STATUSES
    ]


_SEARCHED_STATUSES = (Visit.Status.SUGGESTED, Visit.Status.CONFIRMED)


def _union_length(intervals: list[tuple[datetime, datetime]]) -> tuple[timedelta, datetime]:
    """The length of the union of intervals, and its last moment."""
    intervals.sort()
    total, (run_start, run_end) = timedelta(0), intervals[0]
    for start, end in intervals[1:]:
        if start > run_end:
            total += run_end - run_start
            run_start, run_end = start, end
        else:
            run_end = max(run_end, end)
    total += run_end - run_start
    return total, run_end


def rank_overlaps(
    windows: Sequence[Window],
    presences: Iterable[Presence],
    *,
    dwell: timedelta,
    exclude_person: int | None = None,
) -> list[Overlap]:
    """Pure: the persons whose presences overlap the windows, longest overlap first (then
    the latest overlap, then the person id, so the order is total)."""
    return rank_in_index(
        windows, index_presences(presences), dwell=dwell, exclude_person=exclude_person
    )


def index_presences(presences: Iterable[Presence]) -> dict[int, list[tuple[datetime, int]]]:
    """{venue id: [(scanned_at, person id)] in time order}: built once for many cases."""
    by_venue: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for p in presences:
        by_venue[p.venue_id].append((p.scanned_at, p.person_id))
    for scans in by_venue.values():
        scans.sort()
    return by_venue


def rank_in_index(
    windows: Sequence[Window],
    by_venue: dict[int, list[tuple[datetime, int]]],
    *,
    dwell: timedelta,
    exclude_person: int | None = None,
) -> list[Overlap]:
    # person -> venue -> overlap, person -> visits shared, person -> last moment
    per_venue: dict[int, dict[int, timedelta]] = defaultdict(lambda: defaultdict(timedelta))
    shared: dict[int, int] = defaultdict(int)
    last: dict[int, datetime] = {}
    for window in windows:
        scans = by_venue.get(window.venue_id, ())
        # Presences overlapping the window started after (start - dwell) and before end.
        low = bisect.bisect_right(scans, (window.start - dwell, math.inf))
        pieces: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for index in range(low, len(scans)):
            scanned_at, person_id = scans[index]
            if scanned_at >= window.end:
                break
            if person_id == exclude_person:
                continue
            start, end = max(scanned_at, window.start), min(scanned_at + dwell, window.end)
            if end > start:
                pieces[person_id].append((start, end))
        for person_id, intervals in pieces.items():
            length, moment = _union_length(intervals)
            per_venue[person_id][window.venue_id] += length
            shared[person_id] += 1
            if person_id not in last or moment > last[person_id]:
                last[person_id] = moment
    ranked = []
    for person_id, venues in per_venue.items():
        venue_id = min(venues, key=lambda v: (-venues[v], v))
        total = sum(venues.values(), timedelta(0))
        ranked.append(Overlap(person_id, total, shared[person_id], venue_id, last[person_id]))
    ranked.sort(key=lambda o: (-o.overlap, -o.last_overlap_at.timestamp(), o.person_id))
    return ranked


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Windows at the same venue that touch or overlap, merged: what the scan queries read,
    so that a venue and time shared by several visits (or cases) is read once."""
    by_venue: dict[int, list[Window]] = defaultdict(list)
    for w in windows:
        by_venue[w.venue_id].append(w)
    merged = []
    for venue_id in sorted(by_venue):
        runs = sorted(by_venue[venue_id], key=lambda w: w.start)
        start, end = runs[0].start, runs[0].end
        for w in runs[1:]:
            if w.start > end:
                merged.append(Window(venue_id, start, end))
                start, end = w.start, w.end
            else:
                end = max(end, w.end)
        merged.append(Window(venue_id, start, end))
    return merged


def scans_for_windows(
    windows: Sequence[Window], *, dwell: timedelta, exclude_person: int | None = None
) -> list[Presence]:
    """The scans whose presence can overlap one of the windows: at the venue, scanned after
    (start - dwell) and before the end. One indexed range per window, OR-ed into one query
    per WINDOWS_PER_QUERY windows."""
    found: list[Presence] = []
    for offset in range(0, len(windows), WINDOWS_PER_QUERY):
        ranges = Q()
        for w in windows[offset : offset + WINDOWS_PER_QUERY]:
            ranges |= Q(venue_id=w.venue_id, scanned_at__gt=w.start - dwell, scanned_at__lt=w.end)
        scans = Scan.objects.filter(ranges)
        if exclude_person is not None:
            scans = scans.exclude(person_id=exclude_person)
        found.extend(
            Presence(person_id, venue_id, scanned_at)
            for person_id, venue_id, scanned_at in scans.values_list(
                "person_id", "venue_id", "scanned_at"
            )
        )
    return found


def overlaps_for_case(case: Case, *, edition=None) -> list[Overlap]:
    """The persons who were where the case was, ranked (a pure read: nothing is written)."""
    return overlaps_for_cases([case], edition=edition)[case.pk]


def overlaps_for_cases(cases: Sequence[Case], *, edition=None) -> dict[int, list[Overlap]]:
    """{case id: ranked overlaps} for many cases at once: two queries for the visits and
    one scan query per WINDOWS_PER_QUERY merged venue windows, whatever the cases share."""
    edition = edition or policy.active()
    dwell = timedelta(minutes=edition.copresence_dwell_minutes)
    windows_of: dict[int, list[Window]] = defaultdict(list)
    visits = Visit.objects.filter(
        case_id__in=[c.pk for c in cases], venue__isnull=False, status__in=_SEARCHED_STATUSES
    ).only("case_id", "venue_id", "status", "started_at", "ended_at")
    for visit in visits:
        windows_of[visit.case_id].extend(visit_windows([visit], edition=edition))
    everything = merge_windows(w for ws in windows_of.values() for w in ws)
    # One case's own scans are excluded per case below, not in SQL: another case may share
    # the venue and needs them.
    exclude = cases[0].person_id if len(cases) == 1 else None
    index = index_presences(scans_for_windows(everything, dwell=dwell, exclude_person=exclude))
    return {
        case.pk: rank_in_index(
            windows_of.get(case.pk, []), index, dwell=dwell, exclude_person=case.person_id
        )
        for case in cases
    }
