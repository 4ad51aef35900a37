"""Co-presence discovery equals a brute-force reference on generated scans: the reference
walks every minute of every window and asks which scans cover it, with none of the
sorting, bisecting or interval merging the real search does. Times are whole minutes so
the minute walk is exact. One database test shows the SQL path finds what the pure path
finds."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from epicommand.core import policy
from epicommand.tracing.services.copresence import (
    Overlap,
    Presence,
    Window,
    merge_windows,
    overlaps_for_case,
    overlaps_for_cases,
    rank_overlaps,
)

from .contacts_world import make_case, make_person, make_visit, scan

BASE = datetime(2026, 11, 19, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CASE_PERSON = 1


def at(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


windows_strategy = st.lists(
    st.tuples(st.integers(1, 3), st.integers(0, 600), st.integers(0, 180)).map(
        lambda t: Window(t[0], at(t[1]), at(t[1] + t[2]))
    ),
    max_size=6,
)
presences_strategy = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 3), st.integers(-100, 800)).map(
        lambda t: Presence(t[0], t[1], at(t[2]))
    ),
    max_size=40,
)


def brute_force(windows, presences, *, dwell_minutes, exclude_person):
    totals, visits, per_venue, last = {}, {}, {}, {}
    for window in windows:
        first = int((window.start - BASE).total_seconds() // 60)
        final = int((window.end - BASE).total_seconds() // 60)
        for person in {p.person_id for p in presences} - {exclude_person}:
            covered = [
                m
                for m in range(first, final)
                if any(
                    p.person_id == person
                    and p.venue_id == window.venue_id
                    and p.scanned_at <= at(m)
                    and at(m + 1) <= p.scanned_at + timedelta(minutes=dwell_minutes)
                    for p in presences
                )
            ]
            if not covered:
                continue
            totals[person] = totals.get(person, 0) + len(covered)
            visits[person] = visits.get(person, 0) + 1
            venue_sums = per_venue.setdefault(person, {})
            venue_sums[window.venue_id] = venue_sums.get(window.venue_id, 0) + len(covered)
            last[person] = max(last.get(person, at(covered[-1] + 1)), at(covered[-1] + 1))
    found = [
        Overlap(
            person,
            timedelta(minutes=totals[person]),
            visits[person],
            min(per_venue[person], key=lambda v: (-per_venue[person][v], v)),
            last[person],
        )
        for person in totals
    ]
    return sorted(found, key=lambda o: (-o.overlap, -o.last_overlap_at.timestamp(), o.person_id))


@settings(max_examples=300, deadline=None)
@given(windows_strategy, presences_strategy, st.integers(1, 90))
def test_the_search_equals_the_minute_by_minute_reference(windows, presences, dwell):
    found = rank_overlaps(
        windows, presences, dwell=timedelta(minutes=dwell), exclude_person=CASE_PERSON
    )
    assert found == brute_force(windows, presences, dwell_minutes=dwell, exclude_person=CASE_PERSON)


@settings(max_examples=200, deadline=None)
@given(windows_strategy)
def test_merged_windows_cover_the_same_minutes_per_venue(windows):
    def minutes(ws):
        return {
            (w.venue_id, m)
            for w in ws
            for m in range(
                int((w.start - BASE).total_seconds() // 60),
                int((w.end - BASE).total_seconds() // 60),
            )
        }

    merged = merge_windows(windows)
    assert minutes(merged) == minutes(windows)
    assert len(merged) <= len(windows)


def test_the_database_search_equals_the_pure_search(city):
    """Scans in the database at many offsets around two visits at two venues, including
    the case's own, one exactly at (start - dwell) and one exactly at the end."""
    from epicommand.places.models import Venue

    venues = [
        Venue.objects.create(
            name=f"场所{i}",
            kind="market",
            address="增村",
            region=city.zengcun,
            latitude=38.0,
            longitude=114.8,
        )
        for i in range(2)
    ]
    patient = make_person("病例", city.xgz)
    others = [make_person(f"居民{i}", city.xgz) for i in range(8)]
    case = make_case(patient)
    visits = [
        make_visit(case, venues[0], at(120), at(180)),
        make_visit(case, venues[1], at(300), at(310)),
        make_visit(case, venues[0], at(200), at(260)),
    ]
    edition = policy.active()
    dwell = edition.copresence_dwell_minutes
    margin = edition.copresence_margin_minutes
    offsets = [-dwell - margin, -dwell - margin + 1, -margin, 0, 17, 59, 61, 130, 170]
    presences = []
    for i, person in enumerate([patient, *others]):
        for j, offset in enumerate(offsets[i % 3 :: 2]):
            venue = venues[(i + j) % 2]
            minute = 120 + offset + 5 * i
            scan(person, venue, at(minute))
            presences.append(Presence(person.pk, venue.pk, at(minute)))
    windows = [
        Window(
            v.venue_id,
            v.started_at - timedelta(minutes=margin),
            v.ended_at + timedelta(minutes=margin),
        )
        for v in visits
    ]
    expected = rank_overlaps(
        windows, presences, dwell=timedelta(minutes=dwell), exclude_person=patient.pk
    )
    assert expected  # the data does overlap
    assert overlaps_for_case(case) == expected
    other_case = make_case(others[0])
    make_visit(other_case, venues[0], at(150), at(240))
    batch = overlaps_for_cases([case, other_case])
    assert batch[case.pk] == expected
    assert batch[other_case.pk] == overlaps_for_case(other_case)
    assert patient.pk in {o.person_id for o in batch[other_case.pk]}
