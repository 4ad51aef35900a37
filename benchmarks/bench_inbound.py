"""Inbound travellers, on PostgreSQL: a flight manifest of `--passengers` (100,000) imported
against a bare COPY of the same file, and the closed-loop board with `--travellers` (30,000)
in the loop, p95 (target under 300 ms) against the bare SQL of the same page.

In a fresh database of its own, `epicommand_bench_inbound`, in a child process set up for
that database: the regions, a port desk and 334 registered flights are seeded, the manifest
is imported (timed), the travellers beyond `--travellers` are released and one in ten of
the rest gets a late handover (not timed), then the board is read 200 times by the city
office and by a county office, a page of 50 each, walking the pages by key.

    python -m benchmarks --only inbound --databases postgresql --passengers 100000
"""

import argparse
import csv
import json
import os
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from . import databases
from .measure import p95, timed_ms

DATABASE = "epicommand_bench_inbound"
COLUMNS = (
    "flight_number",
    "date",
    "airline",
    "origin",
    "seat",
    "document",
    "name",
    "nationality",
    "destination_address",
    "region_code",
)
CITY = "130100"
COUNTIES = ("130109", "130102", "130104", "130105")
PER_FLIGHT = 300
SAMPLES = 200


def add_arguments(parser) -> None:
    parser.add_argument("--passengers", type=int, default=100_000, help="manifest rows")
    parser.add_argument(
        "--travellers", type=int, default=30_000, help="travellers left in the closed loop"
    )


def run(args) -> list[str]:
    if "postgresql" not in databases.vendors(args):
        return ["PostgreSQL  skipped: not in --databases (the inbound bench runs there only)"]
    database = databases.fresh_database("postgresql", DATABASE)
    if database is None:
        return databases.skipped_lines(args)
    path = databases.run_dir() / "manifest.csv"
    day = date.today() - timedelta(days=1)
    write_manifest(path, args.passengers, day)
    found = json.loads(
        databases.run_module(
            database,
            "benchmarks.bench_inbound",
            "--child",
            str(path),
            "--day",
            day.isoformat(),
            "--travellers",
            str(args.travellers),
        )
        .strip()
        .splitlines()[-1]
    )
    copy_seconds = time_copy(database.location, path)
    path.unlink()
    n, seconds = args.passengers, found["seconds"]
    if found["created"] != n:
        raise RuntimeError(f"imported {found['created']} of {n}: {found['errors']}")
    lines = [
        f"PostgreSQL  manifest   {n:>10,} passengers {seconds:6.1f} s  {n / seconds:>9,.0f} rows/s",
        f"{'':<11} baseline   {n:>10,} rows       {copy_seconds:6.1f} s  "
        f"{n / copy_seconds:>9,.0f} rows/s   (COPY of the same file, all-text table)",
        f"{'':<11} ratio      import takes {seconds / copy_seconds:.1f}x the bare COPY",
    ]
    for who in ("city", "county"):
        board, bare = found[f"board_{who}"], found[f"bare_{who}"]
        lines.append(
            f"{'':<11} board ({who:<6}) {args.travellers:,} in the loop: p95 {board:6.1f} ms"
            f"   bare SQL p95 {bare:6.1f} ms   ratio {board / max(bare, 0.01):.1f}x"
            "   (target p95 < 300 ms)"
        )
    return lines


def write_manifest(path: Path, passengers: int, day: date) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for n in range(passengers):
            flight, seat = divmod(n, PER_FLIGHT)
            row, letter = divmod(seat, 6)
            county = COUNTIES[n % len(COUNTIES)]
            writer.writerow(
                (
                    f"BX{flight:04d}",
                    day.isoformat(),
                    "Bench Air",
                    f"Origin{flight % 30}",
                    f"{row + 1}{'ABCDEF'[letter]}",
                    f"E{n:09d}",
                    f"旅客{n}",
                    "CHN",
                    f"幸福路 {n} 号",
                    county,
                )
            )


def time_copy(url: str, path: Path) -> float:
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in COLUMNS)
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("CREATE TABLE bare_manifest ({})").format(columns))
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, open(path, "rb") as f:
            with cursor.copy("COPY bare_manifest FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def _child(path: str, day: str, travellers: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    django.setup()
    from epicommand.inbound.services.manifests import import_manifest

    desk, office, county_office = _seed(date.fromisoformat(day), path)
    started = time.perf_counter()
    with open(path, "rb") as f:
        result = import_manifest(desk, f, Path(path).name)
    seconds = time.perf_counter() - started
    _leave_in_loop(travellers)
    found = {
        "seconds": seconds,
        "created": result.created,
        "errors": [str(e) for e in result.errors[:5]],
    }
    for who, user in (("city", office), ("county", county_office)):
        found[f"board_{who}"] = p95(_walk(user))
        found[f"bare_{who}"] = p95(_walk_bare(user))
    print(json.dumps(found))


def _seed(day: date, path: str):
    from epicommand.core.models import Region, Role, Unit, User
    from epicommand.inbound.models import Flight, Route

    level = Region.Level
    city = Region.objects.create(code=CITY, name="石家庄市", level=level.CITY)
    for code in COUNTIES:
        Region.objects.create(code=code, name=f"区{code}", level=level.COUNTY, parent=city)
    port = Unit.objects.create(name="口岸", kind=Unit.Kind.OTHER, region=city)
    desk = User.objects.create_user("desk", role=Role.PORT_STAFF, scope_region=city, unit=port)
    office = User.objects.create_user("office", role=Role.CITY_OFFICE, scope_region=city)
    county = User.objects.create_user(
        "county", role=Role.COUNTY_OFFICE, scope_region_id=COUNTIES[0]
    )
    with open(path, encoding="utf-8") as f:
        flights = {row["flight_number"]: row["origin"] for row in csv.DictReader(f)}
    for number, origin in flights.items():
        route, _ = Route.objects.get_or_create(airline="Bench Air", origin=origin, port="SJW")
        Flight.objects.create(
            route=route, number=number, arrival_date=day, region=city, port_unit=port
        )
    return desk, office, county


def _leave_in_loop(travellers: int) -> None:
    """Release all but `travellers`; one in ten of those left has a late handover."""
    from django.utils import timezone

    from epicommand.core.models import Unit
    from epicommand.inbound.models import Arrival, Handover

    ids = list(Arrival.objects.order_by("pk").values_list("pk", flat=True))
    Arrival.objects.filter(pk__in=ids[travellers:]).update(stage="released")
    unit = Unit.objects.get()
    now = timezone.now()
    Handover.objects.bulk_create(
        (
            Handover(
                arrival_id=pk,
                step="transfer",
                from_unit=unit,
                to_unit=unit,
                region_id=CITY,
                handed_at=now - timedelta(hours=5),
                due_at=now - timedelta(hours=3),
            )
            for pk in ids[:travellers:10]
        ),
        batch_size=5000,
    )


def _walk(user) -> list[float]:
    """The board's pages in turn, the first page again after the last."""
    from epicommand.inbound.queries import loop_board

    state = {"after": 0}

    def read(_):
        board = loop_board(user, after=state["after"])
        state["after"] = board.next_after or 0

    return timed_ms(read, range(SAMPLES))


def _walk_bare(user) -> list[float]:
    """The same page and counts in bare SQL: the rows of a scope range, a page by key with
    its late flag, and the counts by stage."""
    from django.db import connection

    from epicommand.core.access import scope_range

    low, high = scope_range(user)
    stages = ["landed", "port_tested", "in_transfer", "at_site", "to_community", "home_monitoring"]
    state = {"after": 0}

    def read(_):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.id, a.name, a.stage, EXISTS (SELECT 1 FROM inbound_handover h "
                "WHERE h.arrival_id = a.id AND h.acknowledged_at IS NULL AND h.due_at < now()) "
                "FROM inbound_arrival a WHERE a.region_id >= %s AND a.region_id < %s "
                "AND a.stage = ANY(%s) AND a.id > %s ORDER BY a.id LIMIT 51",
                [low, high, stages, state["after"]],
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT stage, count(*) FROM inbound_arrival WHERE region_id >= %s "
                "AND region_id < %s AND stage = ANY(%s) GROUP BY stage",
                [low, high, stages],
            )
            cursor.fetchall()
        state["after"] = rows[49][0] if len(rows) > 50 else 0

    return timed_ms(read, range(SAMPLES))


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_inbound --child FILE ...`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", metavar="CSV", required=True)
    parser.add_argument("--day", required=True)
    parser.add_argument("--travellers", type=int, required=True)
    options = parser.parse_args()
    _child(options.child, options.day, options.travellers)
