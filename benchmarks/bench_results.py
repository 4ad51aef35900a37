"""Lab result intake and pool resolution, on each database.

In a child process on the seeded city it writes directly, in bulk: one site, one lab (an
air-dome lab, capacity larger than the run), one received box of `--results-tubes` pooled
tubes of 10 (default 10,000 tubes, 100,000 samples; `--results-tubes 100000` is the
issue's 100,000 tubes and 1,000,000 samples). Then it times:

- result intake: `record_results` of every tube, 0.1 % of the pools positive (their
  members under closed management: facts, health-code recompute, recalls), the rest
  negative (samples, round progress, counters, audit), beside a bare UPDATE of the same
  tubes and their samples in the same run (rolled back);
- pool resolution: the positive pools' members re-sampled alone (single tubes written
  directly, received), then `record_results` of those single tubes, one positive per pool
  (a suspected case each through tracing), beside a bare UPDATE of the same tubes.

Everything the benchmark wrote in the testing tables is removed after; the suspected
cases it registered stay (it runs last).

    python -m benchmarks --only results [--results-tubes 100000]
"""

import argparse
import json
import os
import time
from datetime import timedelta

from . import databases

ORDER = 95
POOL = 10
POSITIVE_POOL_SHARE = 0.001
NAME = "基准结果"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--results-tubes",
        type=int,
        default=10_000,
        help="pooled tubes of 10 resulted in one batch (default 10,000; the issue's 100,000)",
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database, "benchmarks.bench_results", "--child", str(args.results_tubes)
        )
        r = json.loads(output.strip().splitlines()[-1])
        lines.append(
            f"{database.label:<11} {r['tubes']:,} tubes of {POOL} ({r['samples']:,} samples), "
            f"{r['positive_pools']} positive pools"
        )
        intake, bare = r["intake_seconds"], r["intake_bare_seconds"]
        lines.append(
            f"{'':<11} result intake: {intake:.2f} s ({r['tubes'] / intake:,.0f} tubes/s, "
            f"{r['samples'] / intake:,.0f} samples/s) = {intake / bare:.1f}x a bare UPDATE of "
            f"the same tubes and samples ({bare:.2f} s)"
        )
        resolve, bare = r["resolve_seconds"], max(r["resolve_bare_seconds"], 1e-4)
        lines.append(
            f"{'':<11} pool resolution: {r['singles']:,} single re-tests "
            f"({r['cases']} suspected cases) in {resolve:.2f} s = {resolve / bare:.0f}x a bare "
            f"UPDATE of the same tubes ({bare * 1000:.1f} ms)"
        )
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(tubes: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    world = _World(tubes)
    try:
        result = world.build()
        result |= world.measure()
    finally:
        world.clean_up()
    print(json.dumps(result))


class _World:
    def __init__(self, tubes: int):
        from django.utils import timezone

        self.tubes = tubes
        self.now = timezone.now()
        self.lab = self.site = self.box = None

    def build(self) -> dict:
        from django.db import transaction

        from epicommand.core.bulk import bulk_insert, naive_utc
        from epicommand.core.models import Region, Role, Unit, User
        from epicommand.people.models import Person
        from epicommand.testing.models import Box, Lab, Sample, SamplingSite, Tube

        city = Region.objects.get(level=Region.Level.CITY)
        unit = Unit.objects.get(region=city, kind=Unit.Kind.COMMAND_OFFICE)
        self.actor, _ = User.objects.update_or_create(
            username="bench_results_office",
            defaults=dict(role=Role.CITY_OFFICE, scope_region=city, unit=unit),
        )
        people = list(
            Person.objects.order_by("pk").values_list("pk", "region_id")[: self.tubes * POOL]
        )
        county = people[0][1][:6]
        at = naive_utc(self.now - timedelta(hours=3))
        with transaction.atomic():
            self.site = SamplingSite.objects.create(
                name=NAME,
                region_id=county,
                address=NAME,
                latitude=38.0,
                longitude=114.5,
                tables=10,
                opens_at="07:00",
                closes_at="21:00",
                per_table_hour=60,
            )
            self.lab = Lab.objects.create(
                name=NAME,
                level=Lab.Level.MOBILE,
                region_id=county,
                latitude=38.0,
                longitude=114.5,
                daily_capacity=10_000_000,
                unit=unit,
            )
            self.box = Box.objects.create(
                barcode="BENCH-RESULTS",
                site=self.site,
                region_id=county,
                status=Box.Status.RECEIVED,
                lab=self.lab,
                tubes=self.tubes,
            )
            bulk_insert(
                Tube._meta.db_table,
                (
                    "barcode",
                    "purpose",
                    "site_id",
                    "region_id",
                    "capacity",
                    "members",
                    "status",
                    "box_id",
                    "opened_at",
                    "closed_at",
                    "lab_id",
                    "result",
                    "reagent",
                ),
                (
                    (
                        f"BR{i:010d}",
                        "round",
                        self.site.pk,
                        county,
                        POOL,
                        POOL,
                        "received",
                        self.box.pk,
                        at,
                        at,
                        self.lab.pk,
                        "",
                        "",
                    )
                    for i in range(self.tubes)
                ),
            )
            ids = dict(Tube.objects.filter(box=self.box).values_list("barcode", "pk"))
            bulk_insert(
                Sample._meta.db_table,
                (
                    "client_id",
                    "person_id",
                    "region_id",
                    "tube_id",
                    "sampled_at",
                    "door_to_door",
                    "resample",
                    "status",
                ),
                (
                    (
                        f"br-{n}",
                        people[n % len(people)][0],
                        people[n % len(people)][1],
                        ids[f"BR{n // POOL:010d}"],
                        at,
                        False,
                        False,
                        "",
                    )
                    for n in range(self.tubes * POOL)
                ),
            )
        self.barcodes = sorted(ids)
        self.positive = set(self.barcodes[:: int(1 / POSITIVE_POOL_SHARE)])
        return {
            "tubes": self.tubes,
            "samples": self.tubes * POOL,
            "positive_pools": len(self.positive),
        }

    def _rows(self, barcodes, positive) -> list[dict]:
        return [
            {"client_id": f"bench-{code}", "tube": code, "result": "positive"}
            | {"ct_orf1ab": 28.0, "ct_n": 30.5, "reagent": "B"}
            if code in positive
            else {"client_id": f"bench-{code}", "tube": code, "result": "negative", "reagent": "B"}
            for code in barcodes
        ]

    def _bare_update(self, barcodes) -> float:
        from django.db import connection, transaction

        from epicommand.core.bulk import bulk_update
        from epicommand.testing.models import Tube

        ids = list(Tube.objects.filter(barcode__in=barcodes).values_list("pk", flat=True))
        start = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("DROP TABLE IF EXISTS pg_temp.testing_tube_update")
                    cursor.execute("DROP TABLE IF EXISTS pg_temp.testing_sample_update")
            bulk_update(
                "testing_tube",
                "id",
                ("status", "result"),
                ((pk, "resulted", "negative") for pk in ids),
            )
            bulk_update("testing_sample", "tube_id", ("status",), ((pk, "negative") for pk in ids))
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        return seconds

    def measure(self) -> dict:
        from epicommand.testing.services.results import MAX_FILE_ROWS, record_results

        def as_one_file(rows):  # a lab's day in one file, as the upload sends it
            return record_results(self.actor, self.lab, rows, max_items=MAX_FILE_ROWS)

        result = {"intake_bare_seconds": self._bare_update(self.barcodes)}
        start = time.perf_counter()
        as_one_file(self._rows(self.barcodes, self.positive))
        result["intake_seconds"] = time.perf_counter() - start
        singles, positive = self._resample()
        result["singles"] = len(singles)
        result["resolve_bare_seconds"] = self._bare_update(singles)
        start = time.perf_counter()
        batch = as_one_file(self._rows(singles, positive))
        result["resolve_seconds"] = time.perf_counter() - start
        result["cases"] = batch.figures["cases"]
        return result

    def _resample(self) -> tuple[list[str], set[str]]:
        """Each positive pool's members re-sampled alone, written directly, received."""
        from django.db import transaction

        from epicommand.core.bulk import naive_utc
        from epicommand.testing.models import Recall, Sample, Tube

        at = naive_utc(self.now)
        recalls = list(
            Recall.objects.filter(pool_sample__tube__box=self.box)
            .values_list("pk", "person_id", "region_id", "pool_sample__tube__barcode")
            .order_by("pk")
        )
        singles, positive, first_of_pool = [], set(), set()
        with transaction.atomic():
            for pk, person_id, region, pool in recalls:
                code = f"BS{pk:010d}"
                tube = Tube.objects.create(
                    barcode=code,
                    purpose="recall",
                    region_id=region,
                    capacity=1,
                    members=1,
                    status="received",
                    box=self.box,
                    opened_at=at,
                    closed_at=at,
                    lab=self.lab,
                )
                sample = Sample.objects.create(
                    client_id=f"bs-{pk}",
                    person_id=person_id,
                    region_id=region,
                    tube=tube,
                    sampled_at=self.now,
                    door_to_door=True,
                )
                Recall.objects.filter(pk=pk).update(single_sample=sample, status="sampled")
                singles.append(code)
                if pool not in first_of_pool:
                    first_of_pool.add(pool)
                    positive.add(code)
        return singles, positive

    def clean_up(self) -> None:
        from django.db import transaction

        from epicommand.testing.models import Box, Lab, Recall, Sample, SamplingSite, Tube

        if self.box is None:
            return
        with transaction.atomic():
            Recall.objects.filter(pool_sample__tube__box=self.box).delete()
            tubes = Tube.objects.filter(box=self.box)
            Sample.objects.filter(tube__in=tubes).delete()
            tubes.delete()
            Box.objects.filter(pk=self.box.pk).delete()
            Lab.objects.filter(pk=self.lab.pk).delete()
            SamplingSite.objects.filter(pk=self.site.pk).delete()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, metavar="TUBES", required=True)
    options = parser.parse_args()
    _child(options.child)
