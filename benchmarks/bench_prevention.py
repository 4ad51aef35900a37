"""The rectifications board and the units due for inspection over 30,000 units (ten times
the demo's 3,000), on each database.

In a child process on a fresh database of its own (a city, 22 counties, 10 villages each,
no persons) it writes 30,000 units in bulk across the villages, each with its next
inspection due somewhere in the coming fortnight or past, and 6,000 rectifications (a
fifth of them still open, deadlines spread over a week either side of now). Then, for
`--prevention-runs` random counties, a county office's first page of:

- the rectifications board (`queries.rectification_board`: open, scoped by the user's
  jurisdiction, the nearest deadline first, with the unit's name), against the baseline of
  a bare SQL query of the same page (same filter and order, joined to the unit's name);
- the units due now (`queries.unit_page(due=True)`), against its bare SQL query;
- for information, `services.units.schedule_by_risk` with three risk areas in force.

    python -m benchmarks --only prevention
"""

import json
import os

from . import databases
from .measure import median, p95

ORDER = 85
TARGET_P95_MS = 50.0
TARGET_RATIO = 3.0


def add_arguments(parser) -> None:
    parser.add_argument(
        "--prevention-units", type=int, default=30_000, help="units (default 30,000)"
    )
    parser.add_argument(
        "--prevention-runs", type=int, default=200, help="pages timed (default 200)"
    )


def run(args) -> list[str]:
    lines = []
    for vendor in databases.vendors(args):
        database = databases.fresh_database(vendor, "prevention")
        if database is None:
            continue
        output = databases.run_module(
            database,
            "benchmarks.bench_prevention",
            "--child",
            str(args.prevention_units),
            str(args.prevention_runs),
        )
        r = json.loads(output.strip().splitlines()[-1])
        lines.append(
            f"{database.label:<11} {r['units']:,} units, {r['rectifications']:,} "
            f"rectifications ({r['open']:,} open), written in {r['seconds']:.1f} s"
        )
        for name, ours, bare in (
            ("rectifications board, first page", "board", "board_bare"),
            ("units due now, first page", "due", "due_bare"),
        ):
            ratio = p95(r[ours]) / p95(r[bare])
            ok = p95(r[ours]) < TARGET_P95_MS and ratio <= TARGET_RATIO
            lines += [
                f"{'':<11} {name:<36} median {median(r[ours]):6.2f} ms  p95 "
                f"{p95(r[ours]):6.2f} ms  = {ratio:4.1f}x baseline p95 "
                f"[{'ok' if ok else 'MISSED'}: p95 < {TARGET_P95_MS:.0f} ms and <= "
                f"{TARGET_RATIO:.0f}x]",
                f"{'':<11} {'baseline: bare SQL, same page':<36} median "
                f"{median(r[bare]):6.2f} ms  p95 {p95(r[bare]):6.2f} ms",
            ]
        lines.append(
            f"{'':<11} {'schedule by risk (3 areas in force)':<36} "
            f"{r['schedule_ms']:6.1f} ms, {r['moved']:,} units brought forward"
        )
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------

BOARD_SQL = """
SELECT r.id, r.deadline, r.items, r.responsible_name, u.name
FROM prevention_rectification r JOIN prevention_preventionunit u ON u.id = r.unit_id
WHERE r.status = 'open' AND r.region_id >= %s AND r.region_id < %s
ORDER BY r.deadline, r.id LIMIT 50
"""
DUE_SQL = """
SELECT u.id, u.name, u.next_due_at, g.name
FROM prevention_preventionunit u JOIN core_region g ON g.code = u.region_id
WHERE u.region_id >= %s AND u.region_id < %s AND u.next_due_at <= %s
ORDER BY u.next_due_at, u.id LIMIT 50
"""


def _world(units: int):
    import random
    from datetime import timedelta

    from django.utils import timezone

    from epicommand.core.models import Region, Role, Unit, User
    from epicommand.prevention.models import Inspection, PreventionUnit, Rectification

    rng = random.Random(2021)
    now = timezone.now()
    L = Region.Level
    city = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    villages, users = [], []
    for c in range(22):
        county = Region.objects.create(
            code=f"1301{c + 2:02d}", name=f"县{c}", level=L.COUNTY, parent=city
        )
        town = Region.objects.create(
            code=f"{county.code}001", name=f"镇{c}", level=L.TOWNSHIP, parent=county
        )
        villages += [
            Region.objects.create(
                code=f"{town.code}{v:03d}", name=f"村{c}-{v}", level=L.VILLAGE, parent=town
            )
            for v in range(10)
        ]
        office = Unit.objects.create(name=f"办{c}", kind=Unit.Kind.COMMAND_OFFICE, region=county)
        users.append(
            User.objects.create_user(
                f"office{c}", role=Role.COUNTY_OFFICE, scope_region=county, unit=office
            )
        )
    inspector = users[0]
    categories = ["market", "school", "enterprise", "community", "hospital", "care_home"]
    made = PreventionUnit.objects.bulk_create(
        [
            PreventionUnit(
                name=f"单位{n}",
                category=rng.choice(categories),
                region=rng.choice(villages),
                responsible_name="王",
                responsible_phone="13800000000",
                next_due_at=now + timedelta(hours=rng.uniform(-72, 14 * 24)),
                last_inspected_at=now - timedelta(days=rng.uniform(1, 14)),
                score=rng.randrange(60, 101),
            )
            for n in range(units)
        ],
        batch_size=5000,
    )
    failing = rng.sample(made, units // 5)
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                unit=u,
                region_id=u.region_id,
                inspector=inspector,
                inspected_at=now - timedelta(days=rng.uniform(0, 10)),
                risk_level="low",
                items=[{"code": "masks", "label": "masks", "passed": False}],
                failed=1,
                score=80,
            )
            for u in failing
        ],
        batch_size=5000,
    )
    rectifications = []
    for i in inspections:
        still_open = rng.random() < 0.2
        rectifications.append(
            Rectification(
                unit_id=i.unit_id,
                region_id=i.region_id,
                opened_by=i,
                items=["masks"],
                responsible_name="王",
                responsible_phone="13800000000",
                opened_at=i.inspected_at,
                deadline=now + timedelta(hours=rng.uniform(-7 * 24, 7 * 24)),
                status="open" if still_open else "closed",
            )
        )
    Rectification.objects.bulk_create(rectifications, batch_size=5000)
    return users, len(made), len(rectifications), villages


def _child(units: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    import random
    import time

    from django.db import connection
    from django.utils import timezone

    from epicommand.control.models import RiskArea
    from epicommand.core.access import scope_range
    from epicommand.prevention import queries
    from epicommand.prevention.models import Rectification
    from epicommand.prevention.services.units import schedule_by_risk

    from .measure import timed_ms

    started = time.perf_counter()
    users, made, rectifications, villages = _world(units)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    now = timezone.now()
    rng = random.Random(7)
    picks = [rng.choice(users) for _ in range(runs)]

    def board(user):
        rows = queries.rectification_board(user, now=now)
        [r.unit.name for r in rows]

    def board_bare(user):
        with connection.cursor() as cursor:
            cursor.execute(BOARD_SQL, list(scope_range(user)))
            cursor.fetchall()

    def due(user):
        rows = queries.unit_page(user, due=True, now=now)
        [u.region.name for u in rows]

    def due_bare(user):
        with connection.cursor() as cursor:
            cursor.execute(DUE_SQL, [*scope_range(user), now])
            cursor.fetchall()

    calls = {"board": board, "board_bare": board_bare, "due": due, "due_bare": due_bare}
    for call in calls.values():
        call(picks[0])  # warm the caches alike
    samples: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for index, pick in enumerate(picks):
        for name in names if index % 2 == 0 else reversed(names):
            samples[name] += timed_ms(calls[name], [pick])
    for village in villages[:3]:
        area = RiskArea.objects.create(
            name=village.name, level="high", status="in_force", rule="manual", region=village,
            in_force_from=now,
        )  # fmt: skip
        area.regions.add(village)
    began = time.perf_counter()
    moved = schedule_by_risk(now)
    schedule_ms = (time.perf_counter() - began) * 1000
    print(
        json.dumps(
            {
                **samples,
                "units": made,
                "rectifications": rectifications,
                "open": Rectification.objects.filter(status="open").count(),
                "seconds": seconds,
                "schedule_ms": schedule_ms,
                "moved": moved,
            }
        )
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, type=int, metavar=("UNITS", "RUNS"))
    arguments = parser.parse_args()
    _child(*arguments.child)
