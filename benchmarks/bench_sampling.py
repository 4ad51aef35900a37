"""A round's registration intake: samples per second posted through the sampling API
against a bare bulk write of the same rows into the same table, in the same run.

In a child process set up for the seeded city, it opens a round over the city and a
sampling site, takes `--sampling-people` registrations (default 100,000; the issue's
figure is 1,000,000) of the city's residents by ID number, ten to a tube (the policy's
low-risk pool; residents of risk areas and persons in quarantine are left out so every
tube is a 10:1 pool), and posts them in batches of `--sampling-batch` to
POST /api/v1/testing/samples/batch with Django's in-process test Client and a sampling
device's token: the whole request path (token, JSON, validation, person look-ups, pool
sizes, tube checks and locks, COPY of tubes and samples, round progress, counters,
audit, commit) without a network or a WSGI server. Bodies are encoded before the clock
starts. More registrations than residents go into further rounds (a person is sampled
once a round). Then it writes the same sample rows (new client ids) straight into
testing_sample: COPY on PostgreSQL, executemany on SQLite, one commit per batch. It
replays the first quarter of the batches too. Everything the benchmark wrote is removed
afterwards, so later benchmarks see the city as seeded.

    python -m benchmarks --only sampling --people 1000000 --sampling-people 1000000
"""

import argparse
import json
import os
import time

from . import databases
from .measure import median, p95

ORDER = 62
PREFIX = "bench-s-"
BARE_PREFIX = "bare-s-"
CITY_SAMPLED = 10_250_000  # the reference city's round (DOMAIN.md: 10,251,875)
# Serials far above any the demo or the tests print.
FIRST_SERIAL = 90_000_000_000


def add_arguments(parser) -> None:
    parser.add_argument(
        "--sampling-people",
        type=int,
        default=100_000,
        help="registrations posted (default 100,000; the issue's figure is 1,000,000)",
    )
    parser.add_argument(
        "--sampling-batch", type=int, default=5000, help="registrations per request (5,000)"
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database,
            "benchmarks.bench_sampling",
            "--child",
            str(args.sampling_people),
            str(args.sampling_batch),
        )
        lines += _lines(database.label, json.loads(output.strip().splitlines()[-1]))
    return lines + databases.skipped_lines(args)


def _lines(label: str, r: dict) -> list[str]:
    n, api, bare = r["samples"], r["api_seconds"], r["bare_seconds"]
    city = CITY_SAMPLED / (n / api)
    return [
        f"{label:<11} API        {n:>9,} samples {api:6.2f} s  {n / api:>8,.0f} samples/s  "
        f"({r['batches']} requests of {r['batch']:,}: median {median(r['request_ms']):.0f} ms, "
        f"p95 {p95(r['request_ms']):.0f} ms; {r['tubes']:,} tubes of 10, {r['rounds']} round(s))",
        f"{'':<11} baseline   {n:>9,} rows    {bare:6.2f} s  {n / bare:>8,.0f} rows/s     "
        f"(bare {'COPY' if label == 'PostgreSQL' else 'executemany'} of the same rows into "
        f"testing_sample, one commit per batch)",
        f"{'':<11} ratio      the API takes {api / bare:.1f}x the bare write; "
        f"{r['api_cpu_seconds']:.1f} s of the web process's CPU",
        f"{'':<11} replay     {r['replayed']:>9,} samples {r['replay_seconds']:6.2f} s  "
        f"{r['replayed'] / r['replay_seconds']:>8,.0f} samples/s  (every item already stored)",
        f"{'':<11} city       {CITY_SAMPLED:,} registrations at this rate: {city / 60:.1f} min "
        f"on one web process (1,000,000: {1_000_000 / (n / api):.0f} s)",
    ]


# The child ---------------------------------------------------------------------------------


def _child(count: int, batch: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's "testserver" host is allowed
    from epicommand.core.models import Counter

    metrics = ("samples_taken", "tubes_in_transit")
    saved = list(Counter.objects.filter(metric__in=metrics).values())
    made: dict = {}
    try:
        result = _measure(count, batch, made)
    finally:
        _clean_up(made)
        Counter.objects.filter(metric__in=metrics).delete()
        Counter.objects.bulk_create(Counter(**row) for row in saved)
    print(json.dumps(result))


def _measure(count: int, batch: int, made: dict) -> dict:
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from epicommand.core.models import Region, Role, Unit, User
    from epicommand.testing.barcodes import tube_barcode
    from epicommand.testing.models import Round, SamplingSite

    from .tokens import live_token

    people = _low_risk_residents()
    people = people[: len(people) // 10 * 10]  # a round ends on a full tube
    city = Region.objects.get(level=Region.Level.CITY)
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    now = timezone.now()
    rounds = -(-count // len(people))
    made["rounds"] = []
    for n in range(rounds):
        round_obj = Round.objects.create(
            name=f"bench round {n + 1}",
            region=city,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=2),
            status=Round.Status.OPEN,
        )
        round_obj.regions.add(city)
        made["rounds"].append(round_obj.pk)
    site = SamplingSite.objects.create(
        name="bench site",
        region=county,
        address="-",
        latitude=38.0,
        longitude=114.5,
        tables=100,
        opens_at="00:00",
        closes_at="23:59",
        per_table_hour=60,
    )
    made["site"] = site.pk
    office = User.objects.filter(role=Role.CITY_OFFICE).first() or User.objects.create_user(
        "bench_sampling_office", role=Role.CITY_OFFICE, scope_region=city
    )
    _, secret = live_token(
        office,
        name="bench sampler",
        role=Role.SAMPLING_STAFF,
        unit=Unit.objects.filter(region=city).first(),
        region=city,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def items(prefix: str, start: int, n: int) -> list[dict]:
        return [
            {
                "client_id": f"{prefix}{start + i:09d}",
                "tube": tube_barcode(FIRST_SERIAL + (start + i) // 10),
                "id_number": people[(start + i) % len(people)],
                "round_id": made["rounds"][(start + i) // len(people)],
                "sampled_at": (now - timedelta(seconds=3600 - (start + i) % 3000)).isoformat(),
            }
            for i in range(n)
        ]

    def post(body: bytes) -> dict:
        response = client.post(
            "/api/v1/testing/samples/batch", body, content_type="application/json"
        )
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.content[:800]!r}")
        return response.json()

    # Warm-up: the first request loads the URL conf and the API's schemas.
    client.get(f"/api/v1/testing/samples/tubes/{tube_barcode(FIRST_SERIAL - 1)}")
    # Batches end on a tube's boundary (5,000 is 500 tubes): no tube spans two requests.
    bodies = [
        json.dumps(
            {"site_id": site.pk, "items": items(PREFIX, start, min(batch, count - start))}
        ).encode()
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
    return {
        "samples": count,
        "batch": batch,
        "batches": len(bodies),
        "tubes": -(-count // 10),
        "rounds": rounds,
        "api_seconds": api_seconds,
        "api_cpu_seconds": api_cpu_seconds,
        "request_ms": request_ms,
        "bare_seconds": _bare_write(batch),
        "replayed": replayed,
        "replay_seconds": replay_seconds,
    }


def _low_risk_residents() -> list[str]:
    """ID numbers of residents pooled 10 to a tube: not in a risk area, not in quarantine."""
    from epicommand.control.levels import levels_in_force
    from epicommand.people.models import Person
    from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, Stay
    from epicommand.testing.pooling import pool_size_for

    levels = levels_in_force()
    held = set(
        Stay.objects.filter(status__in=ACTIVE_STAY_STATUSES).values_list("person_id", flat=True)
    )
    rows = Person.objects.filter(id_number__isnull=False).values_list(
        "pk", "id_number", "region_id"
    )
    return [
        number
        for pk, number, region in rows.iterator(chunk_size=20_000)
        if pk not in held and pool_size_for(region, levels=levels) == 10
    ]


COLUMNS = (
    "client_id",
    "person_id",
    "region_id",
    "tube_id",
    "round_id",
    "sampled_at",
    "door_to_door",
    "resample",
    "status",
)


def _bare_write(batch: int) -> float:
    """The sample rows the API stored, under new client ids, written straight in."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM testing_sample "
            "WHERE client_id >= %s AND client_id < %s ORDER BY id",
            [PREFIX + "0", PREFIX + ":"],
        )
        rows = [(BARE_PREFIX + row[0][len(PREFIX) :], *row[1:]) for row in cursor.fetchall()]
    names = ", ".join(COLUMNS)
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY testing_sample ({names}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                marks = ", ".join(["?"] * len(COLUMNS))
                cursor.cursor.executemany(
                    f"INSERT INTO testing_sample ({names}) VALUES ({marks})", chunk
                )
    return time.perf_counter() - started


def _clean_up(made: dict) -> None:
    from django.db import connection
    from django.utils import timezone

    from epicommand.core.models import ApiToken
    from epicommand.testing.models import Round, SamplingSite

    with connection.cursor() as cursor:
        for prefix in (PREFIX, BARE_PREFIX):
            cursor.execute(
                "DELETE FROM testing_sample WHERE client_id >= %s AND client_id < %s",
                [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)],
            )
        if made.get("site"):
            cursor.execute("DELETE FROM testing_tube WHERE site_id = %s", [made["site"]])
    Round.objects.filter(pk__in=made.get("rounds", [])).delete()
    SamplingSite.objects.filter(pk=made.get("site")).delete()
    # Revoked, not deleted: the audit log refers to it.
    ApiToken.objects.filter(name="bench sampler").update(revoked_at=timezone.now())


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_sampling --child N BATCH`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, type=int, metavar=("SAMPLES", "BATCH"), required=True)
    _child(*parser.parse_args().child)
