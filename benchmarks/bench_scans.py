"""Batch scan intake on PostgreSQL: scans per second posted through the API against a bare
COPY of the same rows into the same table, in the same run.

In a child process set up for the seeded PostgreSQL city, it builds `--scans` scans (by
ID number, at the city's venues, over the past six days) and posts them in batches of
`--scan-batch` to POST /api/v1/scans/batch with Django's in-process test Client and a
device's bearer token: the whole request path (middleware, token, JSON, validation,
person and place-code lookups, colours, the COPY and INSERT ... ON CONFLICT, counters,
audit, commit) without a network or a WSGI server. The request bodies are encoded before
the clock starts. The CPU time the process spent is reported too: the Python side's cost,
which a busy database does not inflate. Then it COPYs the same rows (new client ids) into
control_scan, one COPY and commit per batch: what the table, its indexes and the commits
cost anyway. It also replays the first batches (all items already recorded). The
benchmark's own rows and counters are removed afterwards, so later benchmarks see the
city as seeded.

    python -m benchmarks --only scans --databases postgresql --people 100000
"""

import argparse
import json
import os
import time

from . import databases
from .measure import median, p95

ORDER = 60
PREFIX = "bench-"
BARE_PREFIX = "bare-"


def add_arguments(parser) -> None:
    parser.add_argument("--scans", type=int, default=100_000, help="scans posted (default 100,000)")
    parser.add_argument(
        "--scan-batch", type=int, default=5000, help="scans per request (default 5,000)"
    )


def run(args) -> list[str]:
    if "postgresql" not in databases.vendors(args):
        return ["PostgreSQL  skipped: not in --databases (scan intake is measured there only)"]
    postgres = [d for d in databases.seeded_databases(args) if d.vendor == "postgresql"]
    if not postgres:
        return databases.skipped_lines(args)
    output = databases.run_module(
        postgres[0],
        "benchmarks.bench_scans",
        "--child",
        str(args.scans),
        str(args.scan_batch),
    )
    r = json.loads(output.strip().splitlines()[-1])
    n, api, bare = r["scans"], r["api_seconds"], r["copy_seconds"]
    return [
        f"PostgreSQL  API        {n:>9,} scans  {api:6.2f} s  {n / api:>8,.0f} scans/s   "
        f"({r['batches']} requests of {r['batch']:,}: median {median(r['request_ms']):.0f} ms, "
        f"p95 {p95(r['request_ms']):.0f} ms; {r['persons']:,} persons, {r['venues']} venues)",
        f"{'':<11} baseline   {n:>9,} rows   {bare:6.2f} s  {n / bare:>8,.0f} rows/s    "
        f"(bare COPY of the same rows into control_scan, one COPY and commit per batch)",
        f"{'':<11} ratio      the API takes {api / bare:.1f}x the bare COPY",
        f"{'':<11} CPU        {r['api_cpu_seconds']:6.2f} s of the web process's CPU for the API "
        f"run: {n / r['api_cpu_seconds']:,.0f} scans per CPU-second",
        f"{'':<11} replay     {r['replayed']:>9,} scans  {r['replay_seconds']:6.2f} s  "
        f"{r['replayed'] / r['replay_seconds']:>8,.0f} scans/s   (every item already recorded)",
    ]


# The child ---------------------------------------------------------------------------------


def _child(count: int, batch: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's "testserver" host is allowed
    from django.db import connection

    from epicommand.core.models import Counter

    saved_counters = list(Counter.objects.filter(metric="scans").values())
    try:
        result = _measure(count, batch)
    finally:
        with connection.cursor() as cursor:
            for prefix in (PREFIX, BARE_PREFIX):
                cursor.execute(
                    "DELETE FROM control_scan WHERE client_id >= %s AND client_id < %s",
                    [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)],
                )
        Counter.objects.filter(metric="scans").delete()
        Counter.objects.bulk_create(Counter(**row) for row in saved_counters)
    print(json.dumps(result))


def _measure(count: int, batch: int) -> dict:
    import random
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from epicommand.core.models import ApiToken, Region, Role, Unit, User
    from epicommand.places.codes import place_code
    from epicommand.places.models import Venue

    from .tokens import live_token

    rng = random.Random(2021)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number FROM people_person WHERE id_number IS NOT NULL "
            "ORDER BY md5(id::text) LIMIT %s",
            [min(count, 50_000)],
        )
        id_numbers = [row[0] for row in cursor.fetchall()]
    venues = list(Venue.objects.order_by("id")[:500])
    codes = [place_code(v) for v in venues]
    city = Region.objects.get(level=Region.Level.CITY)
    office = User.objects.filter(role=Role.CITY_OFFICE).first() or User.objects.create_user(
        "bench_scans_office", role=Role.CITY_OFFICE, scope_region=city
    )
    unit = Unit.objects.filter(region=city).first()
    _, secret = live_token(
        office, name="bench scanner", role=Role.COMMUNITY_WORKER, unit=unit, region=city
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    now = timezone.now()
    week = 6 * 24 * 3600

    def items(prefix: str, start: int, n: int) -> list[dict]:
        return [
            {
                "client_id": f"{prefix}{start + i:09d}",
                "place_code": rng.choice(codes),
                "id_number": rng.choice(id_numbers),
                "scanned_at": (now - timedelta(seconds=rng.randrange(60, week))).isoformat(),
                "method": "device",
            }
            for i in range(n)
        ]

    def post(body: bytes) -> dict:
        response = client.post("/api/v1/scans/batch", body, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.content[:500]!r}")
        return response.json()

    post(json.dumps({"items": items(PREFIX + "warm-", 0, 200)}).encode())
    bodies = [
        json.dumps({"items": items(PREFIX, start, min(batch, count - start))}).encode()
        for start in range(0, count, batch)
    ]
    request_ms = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for body in bodies:
        t = time.perf_counter()
        answer = post(body)
        request_ms.append((time.perf_counter() - t) * 1000)
        assert answer["replayed"] == 0
    api_seconds = time.perf_counter() - started
    api_cpu_seconds = time.process_time() - cpu_started

    replays = bodies[: max(1, len(bodies) // 4)]
    started = time.perf_counter()
    replayed = sum(post(body)["replayed"] for body in replays)
    replay_seconds = time.perf_counter() - started

    copy_seconds = _bare_copy(batch)
    ApiToken.objects.filter(name="bench scanner").update(revoked_at=timezone.now())
    return {
        "scans": count,
        "batch": batch,
        "batches": len(bodies),
        "api_seconds": api_seconds,
        "api_cpu_seconds": api_cpu_seconds,
        "request_ms": request_ms,
        "copy_seconds": copy_seconds,
        "replayed": replayed,
        "replay_seconds": replay_seconds,
        "persons": len(id_numbers),
        "venues": len(venues),
    }


COLUMNS = (
    "client_id",
    "person_id",
    "venue_id",
    "region_id",
    "scanned_at",
    "colour",
    "method",
    "recorded_at",
)


def _bare_copy(batch: int) -> float:
    """The rows the API stored, under new client ids, COPYed straight into the table."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM control_scan "
            "WHERE client_id >= %s AND client_id < %s ORDER BY id",
            [PREFIX + "0", PREFIX + ":"],
        )
        rows = [(BARE_PREFIX + row[0][len(PREFIX) :], *row[1:]) for row in cursor.fetchall()]
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or None,
    ) as conn:
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            with conn.cursor() as cursor:
                copy_sql = f"COPY control_scan ({', '.join(COLUMNS)}) FROM STDIN"
                with cursor.copy(copy_sql) as copy:
                    for row in rows[start : start + batch]:
                        copy.write_row(row)
            conn.commit()
        return time.perf_counter() - started


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_scans --child N BATCH`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, type=int, metavar=("SCANS", "BATCH"), required=True)
    _child(*parser.parse_args().child)
