"""Health codes recomputed after a risk-area change that touches --touched persons (default
100,000: residents and visitors), in seconds, on each database of the run, beside a raw
baseline in the same run: a bare bulk INSERT of as many health-fact rows, and a bare
UPDATE of them, each committed.

In a child process set up for the seeded city, it takes townships of Gaocheng (then the
counties after it) until their residents reach nine tenths of --touched, and gives the
rest as visitors: persons living elsewhere, each with a place-code scan at a venue of the
area three days ago. Then, timed, a city office designates the townships high-risk and
confirms at once (`services.risk.designate(..., confirm=True)`: the area in force, the
resident and visit facts written, every touched person's code recomputed, committed), and
lifts it (resident facts ended, residents recomputed, committed). The benchmark's rows
are removed afterwards and the colour counters restored, so later benchmarks see the city
as seeded.

    python -m benchmarks --only risk --people 1000000
"""

import argparse
import json
import os
import time

from . import databases

ORDER = 70
SCAN_PREFIX = "riskbench-"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--touched",
        type=int,
        default=100_000,
        help="persons a risk-area change touches (default 100,000)",
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database, "benchmarks.bench_risk", "--child", str(args.touched)
        )
        r = json.loads(output.strip().splitlines()[-1])
        touched = r["residents"] + r["visitors"]
        insert, update = r["bare_insert_seconds"], r["bare_update_seconds"]
        lines += [
            f"{database.label:<11} designate+confirm  {touched:>9,} persons  "
            f"{r['confirm_seconds']:6.2f} s  {touched / r['confirm_seconds']:>8,.0f} persons/s  "
            f"({r['residents']:,} residents of {r['townships']} townships, "
            f"{r['visitors']:,} visitors; {r['recomputed_seconds']:.2f} s of it in the "
            f"health-code engine's recompute)",
            f"{'':<11} lift               {r['residents']:>9,} persons  "
            f"{r['lift_seconds']:6.2f} s  {r['residents'] / r['lift_seconds']:>8,.0f} persons/s  "
            f"({r['lift_recomputed_seconds']:.2f} s of it in the engine's recompute)",
            f"{'':<11} baseline           {r['facts']:>9,} rows     {insert:6.2f} s  "
            f"bare INSERT of the facts (core.bulk), {update:.2f} s bare UPDATE of them",
            f"{'':<11} ratio              designate+confirm = {r['confirm_seconds'] / insert:.1f}x "
            f"the bare INSERT; lift = {r['lift_seconds'] / update:.1f}x the bare UPDATE",
        ]
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(touched: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from epicommand.core.models import Counter

    metrics = ["codes_red", "codes_yellow"]
    saved = list(Counter.objects.filter(metric__in=metrics).values())
    area_ids: list[int] = []
    started_at = _now()
    try:
        result = _measure(touched, area_ids)
    finally:
        _clean_up(area_ids, started_at)
        Counter.objects.filter(metric__in=metrics).delete()
        Counter.objects.bulk_create(Counter(**row) for row in saved)
    print(json.dumps(result))


def _now():
    from django.utils import timezone

    return timezone.now()


def _measure(touched: int, area_ids: list[int]) -> dict:
    from datetime import timedelta

    from django.db.models import Count

    from epicommand.control.services import healthcode, risk
    from epicommand.core.bulk import bulk_insert
    from epicommand.core.models import Region, Role, Unit, User
    from epicommand.people.models import Person
    from epicommand.places.models import Venue

    city = Region.objects.get(level=Region.Level.CITY)
    office = User.objects.filter(username="bench_risk_office").first()
    if office is None:
        office = User.objects.create_user(
            "bench_risk_office",
            role=Role.CITY_OFFICE,
            scope_region=city,
            unit=Unit.objects.filter(region=city).first(),
        )

    # The area: townships from Gaocheng on, until their residents reach 90% of `touched`.
    per_village = Person.objects.values("region_id").annotate(n=Count("id"))
    per_township: dict[str, int] = {}
    for row in per_village:
        code = row["region_id"][:9]
        per_township[code] = per_township.get(code, 0) + row["n"]
    order = sorted(per_township, key=lambda code: (code < "130109", code))
    townships, residents = [], 0
    for code in order:
        if residents >= touched * 0.9:
            break
        townships.append(code)
        residents += per_township[code]
    venues = []
    for code in townships:
        venues += list(Venue.objects.in_region(code).values_list("id", flat=True)[:5])
    if not venues:
        raise RuntimeError("the area has no venue to scan")
    inside = risk._in_ranges("region_id", townships)
    visitors = list(
        Person.objects.exclude(inside)
        .order_by("id")
        .values_list("id", "region_id")[: max(touched - residents, 0)]
    )
    visit = _now() - timedelta(days=3)
    bulk_insert(
        "control_scan",
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
        (
            (
                f"{SCAN_PREFIX}{i:09d}",
                pid,
                venues[i % len(venues)],
                region,
                _naive(visit),
                "green",
                "device",
                _naive(visit),
            )
            for i, (pid, region) in enumerate(visitors)
        ),
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE control_scan")

    spent = {"recompute": 0.0}
    engine = healthcode.recompute

    def timed_recompute(*args, **kwargs):
        t = time.perf_counter()
        try:
            return engine(*args, **kwargs)
        finally:
            spent["recompute"] += time.perf_counter() - t

    healthcode.recompute = timed_recompute
    started = time.perf_counter()
    area = risk.designate(office, level="high", regions=townships, reason="benchmark", confirm=True)
    confirm_seconds = time.perf_counter() - started
    area_ids.append(area.pk)
    recomputed, spent["recompute"] = spent["recompute"], 0.0
    started = time.perf_counter()
    risk.lift(office, area, reason="benchmark")
    lift_seconds = time.perf_counter() - started
    healthcode.recompute = engine

    facts = area.recomputed.ended + len(visitors)
    bare_insert, bare_update = _bare_baseline(facts)
    return {
        "townships": len(townships),
        "residents": residents,
        "visitors": len(visitors),
        "facts": facts,
        "confirm_seconds": confirm_seconds,
        "recomputed_seconds": recomputed,
        "lift_seconds": lift_seconds,
        "lift_recomputed_seconds": spent["recompute"],
        "bare_insert_seconds": bare_insert,
        "bare_update_seconds": bare_update,
    }


def _bare_baseline(count: int) -> tuple[float, float]:
    """A bare INSERT of `count` health-fact rows through core.bulk (COPY on PostgreSQL),
    committed, and a bare UPDATE of them, committed; then they are removed."""
    from django.db import connection, transaction

    from epicommand.control.services.healthcode import FACT_COLUMNS
    from epicommand.core.bulk import bulk_insert

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, region_id FROM people_person ORDER BY id LIMIT %s", [count])
        persons = cursor.fetchall()
    at = _naive(_now())
    rows = [
        (pid, region, "high_risk_resident", at, None, "bare", f"bare:{pid}", "", at)
        for pid, region in persons
    ]
    started = time.perf_counter()
    with transaction.atomic():
        bulk_insert("control_healthfact", FACT_COLUMNS, rows)
    insert = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE control_healthfact SET ended_at = %s WHERE source = 'bare'", [at])
    update = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM control_healthfact WHERE source = 'bare'")
    return insert, update


def _clean_up(area_ids: list[int], since) -> None:
    """Remove what the benchmark added: its scans, the area's facts, the codes and colour
    history written since it started, the area."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM control_scan WHERE client_id >= %s AND client_id < %s",
            [SCAN_PREFIX, SCAN_PREFIX[:-1] + chr(ord(SCAN_PREFIX[-1]) + 1)],
        )
        for area_id in area_ids:
            cursor.execute(
                "DELETE FROM control_healthfact WHERE source = %s", [f"risk area {area_id}"]
            )
            cursor.execute("DELETE FROM control_riskarea_regions WHERE riskarea_id = %s", [area_id])
            cursor.execute("DELETE FROM control_riskarea WHERE id = %s", [area_id])
        cursor.execute("DELETE FROM control_healthcode WHERE computed_at >= %s", [_naive(since)])
        cursor.execute("DELETE FROM control_colourchange WHERE at >= %s", [_naive(since)])


def _naive(value):
    from datetime import UTC

    return value.astimezone(UTC).replace(tzinfo=None)


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_risk --child TOUCHED`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, metavar="TOUCHED", required=True)
    _child(parser.parse_args().child)
