"""Place-code co-presence on each database: the candidates of one case with 50 visits over
14 days of scans, and of 1,000 cases at once.

In a database of its own (empty, migrated) a child process writes, through core.bulk
(COPY on PostgreSQL): N persons (`--copresence-persons`, default 20,000; the issue's
figure is 1,000,000), one venue per 50 persons, and 40 scans per person over 14 days at a
few habitual venues each, busy venues drawn more often (800,000 scans by default, 40
million at full size). Then it times, `--runs` times each, median:

- `copresence.overlaps_for_case` for a case with 50 one-hour visits (busy venues drawn
  more often, as a case's market and workplace are), beside the bare indexed range query
  of the same 50 windows (`SELECT person_id, venue_id, scanned_at ... WHERE venue_id = ?
  AND scanned_at BETWEEN ...`, one statement per window) in the same run;
- `contacts.refresh_candidates` for 1,000 cases of 10 visits each (the search, and the
  candidates written and rolled back), beside the bare range queries of all their windows.

    python -m benchmarks --only copresence --copresence-persons 1000000
"""

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta

from . import databases
from .measure import median

ORDER = 75
SCANS_PER_PERSON = 40
PERSONS_PER_VENUE = 50
DAYS = 14
CASE_VISITS = 50
BATCH_CASES, BATCH_VISITS = 1000, 10
START = datetime(2026, 1, 1, tzinfo=UTC)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--copresence-persons",
        type=int,
        default=20_000,
        help="persons whose scans co-presence searches (default 20,000; issue: 1,000,000)",
    )


def run(args) -> list[str]:
    lines = []
    for vendor in databases.vendors(args):
        database = databases.fresh_database(vendor, "epicommand_bench_copresence")
        if database is None:
            continue
        output = databases.run_module(
            database,
            "benchmarks.bench_copresence",
            "--child",
            str(args.copresence_persons),
            "--runs",
            str(args.runs),
        )
        r = json.loads(output.strip().splitlines()[-1])
        one, bare = median(r["one_case_ms"]), median(r["bare_one_ms"])
        batch, bare_batch = median(r["batch_s"]), median(r["bare_batch_s"])
        lines += [
            f"{database.label:<11} {r['persons']:,} persons, {r['scans']:,} scans at "
            f"{r['venues']:,} venues over {DAYS} days (written in {r['write_s']:.0f} s)",
            f"{'':<11} one case, {CASE_VISITS} visits, {r['one_found']:,} persons found: "
            f"median {one:7.1f} ms = {one / bare:4.1f}x the bare range queries "
            f"({bare:.1f} ms, {r['one_rows']:,} scans)",
            f"{'':<11} {BATCH_CASES:,} cases x {BATCH_VISITS} visits, {r['batch_found']:,} "
            f"candidates written: median {batch:6.2f} s = {batch / bare_batch:4.1f}x the bare "
            f"range queries of their windows ({bare_batch:.2f} s, {r['batch_rows']:,} scans)",
        ]
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(persons: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    rng = random.Random(2021)
    world = _World(persons, rng)
    started = time.perf_counter()
    world.write()
    result = {"write_s": time.perf_counter() - started} | world.measure(runs)
    print(json.dumps(result))


def _skewed(rng: random.Random, n: int) -> int:
    """An index below n, low ones (busy venues) drawn far more often."""
    return int(n * rng.random() ** 2)


class _World:
    def __init__(self, persons: int, rng: random.Random):
        self.persons, self.rng = persons, rng
        self.venues = max(10, persons // PERSONS_PER_VENUE)

    def write(self) -> None:
        from django.db import connection, transaction

        from epicommand.control.models import Scan
        from epicommand.core.bulk import bulk_insert
        from epicommand.core.models import Region
        from epicommand.people.models import Person
        from epicommand.places.models import Venue

        city = Region.objects.create(code="130100", name="city", level=Region.Level.CITY)
        county = Region.objects.create(
            code="130109", name="county", level=Region.Level.COUNTY, parent=city
        )
        self.region = Region.objects.create(
            code="130109104201", name="village", level=Region.Level.VILLAGE, parent=county
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        with transaction.atomic():
            bulk_insert(
                Venue._meta.db_table,
                (
                    "id",
                    "name",
                    "kind",
                    "address",
                    "region_id",
                    "latitude",
                    "longitude",
                    "code_nonce",
                    "created_at",
                ),
                (
                    (i, f"v{i}", "market", "-", self.region.code, 38.0, 114.8, "n", now)
                    for i in range(1, self.venues + 1)
                ),
            )
            bulk_insert(
                Person._meta.db_table,
                (
                    "id",
                    "name",
                    "sex",
                    "birth_date",
                    "passport_number",
                    "nationality",
                    "phone",
                    "address",
                    "region_id",
                    "created_at",
                    "updated_at",
                ),
                (
                    (
                        i,
                        "p",
                        "M",
                        datetime(1980, 1, 1).date(),
                        f"B{i}",
                        "CHN",
                        "",
                        "",
                        self.region.code,
                        now,
                        now,
                    )
                    for i in range(1, self.persons + 1)
                ),
            )
            bulk_insert(
                Scan._meta.db_table,
                (
                    "client_id",
                    "person_id",
                    "venue_id",
                    "region_id",
                    "scanned_at",
                    "colour",
                    "method",
                    "recorded_at",
                ),
                self._scans(now),
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE control_scan")
                for table in ("people_person", "places_venue"):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _scans(self, now):
        rng, span = self.rng, DAYS * 24 * 60
        n = 0
        for person in range(1, self.persons + 1):
            habitual = [_skewed(rng, self.venues) + 1 for _ in range(4)]
            for _ in range(SCANS_PER_PERSON):
                n += 1
                at = START + timedelta(minutes=rng.randrange(span))
                yield (
                    f"b{n}",
                    person,
                    rng.choice(habitual),
                    self.region.code,
                    at.replace(tzinfo=None),
                    "green",
                    "self",
                    now,
                )
        self.scans = n

    def _case(self, person_id: int, visits: int):
        from epicommand.tracing.models import Case, Visit

        case = Case.objects.create(
            person_id=person_id,
            region=self.region,
            classification="mild",
            detection_route="report",
            onset_date=(START + timedelta(days=DAYS - 1)).date(),
            reported_at=START + timedelta(days=DAYS),
        )
        Visit.objects.bulk_create(
            Visit(
                case=case,
                region=self.region,
                origin="interview",
                status="confirmed",
                venue_id=_skewed(self.rng, self.venues) + 1,
                started_at=at,
                ended_at=at + timedelta(hours=1),
            )
            for at in (
                START + timedelta(minutes=self.rng.randrange(DAYS * 24 * 60 - 60))
                for _ in range(visits)
            )
        )
        return case

    def measure(self, runs: int) -> dict:
        from django.db import transaction

        from epicommand.tracing.services import contacts, copresence

        case = self._case(1, CASE_VISITS)
        cases = [self._case(person_id, BATCH_VISITS) for person_id in range(2, BATCH_CASES + 2)]
        one_ms, bare_one_ms, batch_s, bare_batch_s = [], [], [], []
        windows_one = self._windows([case])
        windows_all = self._windows(cases)
        for _ in range(runs):
            started = time.perf_counter()
            found = copresence.overlaps_for_case(case)
            one_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            one_rows = self._bare(windows_one)
            bare_one_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with transaction.atomic():
                written = contacts.refresh_candidates(cases)
                transaction.set_rollback(True)
            batch_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            batch_rows = self._bare(windows_all)
            bare_batch_s.append(time.perf_counter() - started)
        return {
            "persons": self.persons,
            "venues": self.venues,
            "scans": self.scans,
            "one_case_ms": one_ms,
            "bare_one_ms": bare_one_ms,
            "one_found": len(found),
            "one_rows": one_rows,
            "batch_s": batch_s,
            "bare_batch_s": bare_batch_s,
            "batch_found": written,
            "batch_rows": batch_rows,
        }

    def _windows(self, cases) -> list[tuple]:
        """(venue, low, high) of each visit's scan range, as the search reads them."""
        from epicommand.core import policy
        from epicommand.tracing.models import Visit
        from epicommand.tracing.services.copresence import visit_windows

        edition = policy.active()
        dwell = timedelta(minutes=edition.copresence_dwell_minutes)
        visits = Visit.objects.filter(case__in=cases)
        return [(w.venue_id, w.start - dwell, w.end) for w in visit_windows(visits)]

    def _bare(self, windows) -> int:
        from django.db import connection

        rows = 0
        with connection.cursor() as cursor:
            for venue_id, low, high in windows:
                cursor.execute(
                    "SELECT person_id, venue_id, scanned_at FROM control_scan "
                    "WHERE venue_id = %s AND scanned_at > %s AND scanned_at < %s",
                    [venue_id, low, high],
                )
                rows += len(cursor.fetchall())
        return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, required=True)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    _child(options.child, options.runs)
