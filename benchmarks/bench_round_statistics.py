"""A testing round's statistics page at 1,000,000 samples, on each database.

In a child process on the seeded city it sets up a citywide round through the service
(`create_round`: the targets of every village in one grouped count of the persons, timed),
then writes what the sampling and result services would have left after a round of
`--round-samples` swabs (default 1,000,000: every person of the default city once, more
than once on a smaller city): tubes of 10 (95 % resulted negative, 0.1 % positive pools,
the rest closed, boxed or received: in transit) and their samples, bulk-inserted as the
intake does (COPY on PostgreSQL), then the round's figures per village (progress.add) and
per county and hour (progress.add_hours), as those services add them.

Measured with Django's in-process test Client (session, view, template), `--runs` times
each, median and p95: the round's page as the city office opens it (classified statistics
by county, the hourly chart, pooling advice, the first page of assignments), the figures
panel the page refreshes through htmx, a county's drill-down, and the statistics API;
beside the raw baseline, the bare SQL sum of the round's progress rows in the same run,
and (a few runs) the COUNT over the round's samples a page without progress rows would
need. Everything the benchmark wrote is removed after (the audit lines stay).

    python -m benchmarks --only round_statistics --round-samples 1000000
"""

import argparse
import json
import os
import random
import time
from datetime import UTC, timedelta

from . import databases
from .logins import force_login_verified
from .measure import median, p95

ORDER = 75
NAME = "基准全员核酸检测"  # the benchmark's round, so the clean-up finds it
POOL = 10
PAGES = [
    ("round_page", "round page, city office (figures, chart, pooling, sites)"),
    ("figures_part", "figures panel refresh (htmx)"),
    ("county_page", "round page drilled down to a county"),
    ("statistics_api", "GET /api/v1/testing/rounds/<id>/statistics"),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--round-samples",
        type=int,
        default=1_000_000,
        help="samples in the benchmark's round (default 1,000,000)",
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database,
            "benchmarks.bench_round_statistics",
            "--child",
            str(args.round_samples),
            "--runs",
            str(args.runs),
        )
        r = json.loads(output.strip().splitlines()[-1])
        s = r["samples"]
        base = median(s["select_sum"])
        lines.append(
            f"{database.label:<11} round of {r['samples_written']:,} samples in "
            f"{r['tubes']:,} tubes over {r['villages']:,} villages; targets of "
            f"{r['target']:,} persons written in {r['targets_seconds']:.2f} s; samples and "
            f"tubes bulk-written in {r['write_seconds']:.1f} s; {r['runs']} runs each"
        )
        lines.append(
            f"{'':<11} baseline: bare SQL sum of the round's progress rows "
            f"median {base:.2f} ms, p95 {p95(s['select_sum']):.2f} ms"
        )
        for key, title in PAGES:
            lines.append(
                f"{'':<11} {title:<58} median {median(s[key]):7.1f} ms  p95 "
                f"{p95(s[key]):7.1f} ms  ({median(s[key]) / base:,.0f}x the bare sum)"
            )
        lines.append(
            f"{'':<11} for scale, a COUNT over the round's samples (what the page avoids): "
            f"median {median(s['count_samples']):.0f} ms"
        )
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(samples: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's "testserver" host is allowed
    world = _World()
    try:
        result = world.build(samples)
        result |= world.measure(runs)
    finally:
        world.clean_up()
    print(json.dumps(result))


class _World:
    def __init__(self):
        from django.utils import timezone

        self.now = timezone.now()
        self.rng = random.Random(2021)
        self.round = None

    def build(self, samples: int) -> dict:
        from epicommand.core.models import Region, Role, User
        from epicommand.testing.models import RoundProgress
        from epicommand.testing.services import rounds

        city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
        self.office, _ = User.objects.get_or_create(
            username="bench_round_office",
            defaults={"role": Role.CITY_OFFICE, "scope_region": city},
        )
        started = time.perf_counter()
        self.round = rounds.create_round(
            self.office,
            name=NAME,
            region_codes=[city.code],
            starts_at=self.now - timedelta(hours=40),
            ends_at=self.now + timedelta(hours=32),
        )
        targets_seconds = time.perf_counter() - started
        self.round.status = "open"
        self.round.save(update_fields=["status"])
        started = time.perf_counter()
        tubes = self._write(samples)
        write_seconds = time.perf_counter() - started
        progress_rows = RoundProgress.objects.filter(round=self.round)
        return {
            "samples_written": samples,
            "tubes": tubes,
            "villages": progress_rows.count(),
            "target": sum(progress_rows.values_list("target", flat=True)),
            "targets_seconds": targets_seconds,
            "write_seconds": write_seconds,
        }

    def _write(self, samples: int) -> int:
        """Tubes and samples as the intake leaves them, then the figures as the sampling
        and result services add them."""
        from django.db import transaction

        from epicommand.core.bulk import bulk_insert, naive_utc
        from epicommand.people.models import Person
        from epicommand.testing import progress
        from epicommand.testing.models import Sample, Tube

        persons = list(Person.objects.order_by("pk").values_list("pk", "region_id"))
        round_id = self.round.pk
        start = self.round.starts_at
        tube_count = (samples + POOL - 1) // POOL
        # Each tube: its time, its status and result (0.1 % positive pools, 5 % in transit).
        plan = []
        for _tube in range(tube_count):
            at = start + timedelta(minutes=self.rng.randrange(40 * 60))
            draw = self.rng.random()
            if draw < 0.05:
                state = (self.rng.choice(["closed", "boxed", "received"]), "")
            else:
                state = ("resulted", "positive" if draw < 0.051 else "negative")
            plan.append((at, *state))
        with transaction.atomic():
            bulk_insert(
                Tube._meta.db_table,
                ("barcode", "purpose", "round_id", "region_id", "capacity", "members")
                + ("status", "opened_at", "closed_at", "result", "reagent"),
                (
                    (
                        f"BR{round_id}-{i:08d}",
                        "round",
                        round_id,
                        persons[(i * POOL) % len(persons)][1][:9],
                        POOL,
                        POOL,
                        status,
                        naive_utc(at),
                        naive_utc(at),
                        result,
                        "",
                    )
                    for i, (at, status, result) in enumerate(plan)
                ),
            )
            tube_ids = list(
                Tube.objects.filter(round_id=round_id)
                .order_by("barcode")
                .values_list("pk", flat=True)
            )
            sample_status = {"negative": "negative", "positive": "pool_positive", "": ""}
            villages: dict[str, dict[str, int]] = {}
            hours: dict[tuple, int] = {}

            def rows():
                for n in range(samples):
                    person_id, region_id = persons[n % len(persons)]
                    at, _status, result = plan[n // POOL]
                    figures = villages.setdefault(region_id, {"sampled": 0})
                    figures["sampled"] += 1
                    if result:
                        figures["tested"] = figures.get("tested", 0) + 1
                        key = "released" if result == "negative" else "positive_pools"
                        figures[key] = figures.get(key, 0) + 1
                    hour = (region_id[:6], progress.hour_of(at.astimezone(UTC)))
                    hours[hour] = hours.get(hour, 0) + 1
                    yield (
                        f"bench-{round_id}-{n}",
                        person_id,
                        region_id,
                        tube_ids[n // POOL],
                        round_id,
                        naive_utc(at),
                        False,
                        False,
                        sample_status[result],
                        naive_utc(at + timedelta(hours=6)) if result else None,
                    )

            bulk_insert(
                Sample._meta.db_table,
                ("client_id", "person_id", "region_id", "tube_id", "round_id", "sampled_at")
                + ("door_to_door", "resample", "status", "resulted_at"),
                rows(),
            )
            progress.add(round_id, villages)
            progress.add_hours(round_id, hours)
        return tube_count

    def measure(self, runs: int) -> dict:
        from django.db import connection
        from django.test import Client

        from .measure import timed_ms

        client = Client()
        force_login_verified(client, self.office)
        round_id = self.round.pk
        county = (
            self.round.progress.order_by("-target").values_list("region_id", flat=True).first()
        )[:6]

        def get(url, **params):
            headers = params.pop("headers", {})

            def call(_):
                response = client.get(url, params, headers=headers)
                assert response.status_code == 200, (url, response.status_code)

            return call

        def select(sql, params=()):
            def call(_):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

            return call

        page = f"/testing/rounds/{round_id}/"
        measures = {
            "select_sum": select(
                "SELECT SUM(target), SUM(sampled), SUM(tested), SUM(released), "
                "SUM(positive_pools), SUM(positives) FROM testing_roundprogress "
                "WHERE round_id = %s",
                [round_id],
            ),
            "round_page": get(page),
            "figures_part": get(page, part="figures", headers={"HX-Request": "true"}),
            "county_page": get(page, region=county),
            "statistics_api": get(f"/api/v1/testing/rounds/{round_id}/statistics"),
        }
        samples = {}
        for key, call in measures.items():
            warm = max(3, runs // 10)
            timed_ms(call, range(warm))
            samples[key] = timed_ms(call, range(runs))
        count = select("SELECT COUNT(*) FROM testing_sample WHERE round_id = %s", [round_id])
        samples["count_samples"] = timed_ms(count, range(3))
        return {"samples": samples, "runs": runs}

    def clean_up(self) -> None:
        from django.db import connection, transaction

        from epicommand.testing.models import Round

        # Plain DELETEs: the ORM would first read a million samples to cascade to nothing.
        with transaction.atomic(), connection.cursor() as cursor:
            for found in Round.objects.filter(name=NAME):
                cursor.execute("DELETE FROM testing_sample WHERE round_id = %s", [found.pk])
                cursor.execute("DELETE FROM testing_tube WHERE round_id = %s", [found.pk])
                found.delete()


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_round_statistics --child N`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, metavar="SAMPLES", required=True)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    _child(options.child, options.runs)
