"""Pool resolution of `--resolution-cases` suspected cases (default 100), on each database.

In a child process on the seeded city, as `results` does (same world, written directly):
that many received pools of 10, all resulted positive (their members under closed
management, recalls opened); each pool's members re-sampled alone and received. Then it
times:

- the lab's result batch of those single tubes, one positive per pool: a suspected case
  each (health-code fact, priority listing, transfer order, counters, audit), and each
  case's follow-up queued for the worker;
- the worker doing the follow-ups (trajectory, household and co-presence contacts,
  referrals, clusters), through `epicommand worker`'s own loop (`db_worker --batch`);

beside bare INSERTs of the same number of case rows and bare UPDATEs of the same single
tubes, in the same run (rolled back). Everything written in the testing tables is removed
after; the cases stay.

    python -m benchmarks --only pool_resolution [--resolution-cases 100]
"""

import argparse
import json
import os
import time

from . import databases

ORDER = 96
CASE_COLUMNS = (
    "person_id",
    "region_id",
    "episode",  # beyond any real episode, and closed: no constraint can refuse the row
    "classification",
    "detection_route",
    "reported_at",
    "hospital",
    "outcome",
    "note",
    "created_at",
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--resolution-cases",
        type=int,
        default=100,
        help="positive pools re-tested one by one, a suspected case each (default 100)",
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database, "benchmarks.bench_pool_resolution", "--child", str(args.resolution_cases)
        )
        r = json.loads(output.strip().splitlines()[-1])
        request, followups = r["request_seconds"], r["followup_seconds"]
        bare = max(r["bare_seconds"], 1e-4)
        lines += [
            f"{database.label:<11} {r['pools']} positive pools of 10: {r['singles']:,} single "
            f"re-tests, {r['cases']} suspected cases",
            f"{'':<11} result batch (cases registered, follow-ups queued): {request:.2f} s "
            f"= {request / bare:.0f}x bare writes of the same rows ({bare * 1000:.1f} ms: "
            f"{r['cases']} case INSERTs, {r['singles']:,} tube UPDATEs)",
            f"{'':<11} follow-ups by the worker: {followups:.2f} s "
            f"({followups / max(r['cases'], 1) * 1000:.0f} ms a case, {r['followups']} done)",
            f"{'':<11} pool resolution in all: {request + followups:.2f} s",
        ]
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(cases: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from .bench_results import _World

    world = _World(cases)
    try:
        world.build()
        world.positive = set(world.barcodes)  # every pool positive: one case per pool
        result = _measure(world)
    finally:
        world.clean_up()
    print(json.dumps(result))


def _measure(world) -> dict:
    from django.core.management import call_command

    from epicommand.core.models import FollowUp
    from epicommand.testing.services.results import record_results

    record_results(world.actor, world.lab, world._rows(world.barcodes, world.positive))
    singles, positive = world._resample()
    result = {"pools": len(world.barcodes), "singles": len(singles)}
    result["bare_seconds"] = _bare_writes(world, singles, len(positive))
    queued = FollowUp.objects.count()
    start = time.perf_counter()
    batch = record_results(world.actor, world.lab, world._rows(singles, positive))
    result["request_seconds"] = time.perf_counter() - start
    result["cases"] = batch.figures["cases"]
    start = time.perf_counter()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    result["followup_seconds"] = time.perf_counter() - start
    done = FollowUp.objects.filter(state=FollowUp.State.DONE).count()
    result["followups"] = done - queued
    return result


def _bare_writes(world, singles: list[str], cases: int) -> float:
    """INSERT of `cases` bare case rows and UPDATE of the single tubes, rolled back."""
    from django.db import transaction
    from django.utils import timezone

    from epicommand.core.bulk import bulk_insert, bulk_update, naive_utc
    from epicommand.people.models import Person
    from epicommand.testing.models import Tube
    from epicommand.tracing.models import Case

    ids = list(Tube.objects.filter(barcode__in=singles).values_list("pk", flat=True))
    persons = list(Person.objects.order_by("-pk").values_list("pk", "region_id")[:cases])
    at = naive_utc(timezone.now())
    start = time.perf_counter()
    with transaction.atomic():
        bulk_insert(
            Case._meta.db_table,
            CASE_COLUMNS,
            (
                (pk, region, 99, "suspected", "mass_testing", at, "", "ruled_out", "", at)
                for pk, region in persons
            ),
        )
        bulk_update("testing_tube", "id", ("status",), ((pk, "resulted") for pk in ids))
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, metavar="CASES", required=True)
    options = parser.parse_args()
    _child(options.child)
