"""Vaccination of key groups at scale, on PostgreSQL (a database of its own,
`epicommand_bench_vaccination`, in a child process):

- roster import: an employer's CSV of `--vaccination-roster` staff (100,000) through
  `rosters.import_roster` (check digits, groups, persons found in batches through
  people.lookup, bulk write, the tally), against a bare COPY of the same file into an
  all-text table, in the same run;
- the overdue second-dose list at `--vaccination-doses` doses (1,000,000): p95 of
  `queries.series_page` for a county office (no filter, an employer, a group, a next
  page), against a bare keyset query on the same table (the open series' partial index);
- the coverage dashboard at twice as many doses (2,000,000): p95 of `queries.coverage`
  (city by county, a county by employer, an employer by group), read from the tally the
  services keep, against the naive way: counting the doses by group in the same run.

    python -m benchmarks --only vaccination --databases postgresql
"""

import argparse
import json
import os
import random
import time

import psycopg

from . import databases
from .measure import median, p95, timed_ms

DATABASE = "epicommand_bench_vaccination"
OVERDUE_TARGET_MS = 200.0
COVERAGE_TARGET_MS = 300.0


def add_arguments(parser) -> None:
    parser.add_argument("--vaccination-roster", type=int, default=100_000, help="staff (100,000)")
    parser.add_argument(
        "--vaccination-doses", type=int, default=1_000_000, help="doses (1,000,000; doubled)"
    )
    parser.add_argument("--vaccination-runs", type=int, default=200, help="reads (200)")


def run(args) -> list[str]:
    if "postgresql" not in databases.vendors(args):
        return ["PostgreSQL  skipped: not in --databases (vaccination is measured there only)"]
    database = databases.fresh_database("postgresql", DATABASE)
    if database is None:
        return databases.skipped_lines(args)
    output = databases.run_module(
        database,
        "benchmarks.bench_vaccination",
        "--child",
        str(args.vaccination_roster),
        str(args.vaccination_doses),
        str(args.vaccination_runs),
    )
    r = json.loads(output.strip().splitlines()[-1])
    roster, copy = r["roster_seconds"], r["copy_seconds"]
    overdue, bare = r["overdue"], r["overdue_bare"]
    cover, naive = r["coverage"], r["coverage_naive"]
    ok_overdue = "ok" if p95(overdue) < OVERDUE_TARGET_MS else "MISSED"
    ok_cover = "ok" if p95(cover) < COVERAGE_TARGET_MS else "MISSED"
    return [
        f"PostgreSQL  roster import {r['roster']:,} staff {roster:6.1f} s "
        f"({r['roster'] / roster:,.0f} rows/s); bare COPY of the same file {copy:5.2f} s "
        f"= {roster / copy:.1f}x",
        f"{'':<11} {r['doses_1']:,} doses ({r['overdue_count']:,} series overdue), written "
        f"in {r['seed_1_seconds']:.0f} s",
        f"{'':<11} overdue list p95 {p95(overdue):6.1f} ms (median {median(overdue):5.1f}) "
        f"[{ok_overdue}: < {OVERDUE_TARGET_MS:.0f} ms]; bare keyset query p95 "
        f"{p95(bare):5.1f} ms",
        f"{'':<11} {r['doses_2']:,} doses, {r['tally_rows']:,} tally rows, written in "
        f"{r['seed_2_seconds']:.0f} s more",
        f"{'':<11} coverage dashboard p95 {p95(cover):6.1f} ms (median {median(cover):5.1f}) "
        f"[{ok_cover}: < {COVERAGE_TARGET_MS:.0f} ms]; naive count of the doses by group "
        f"p95 {p95(naive):7.1f} ms",
    ]


# The child ---------------------------------------------------------------------------------


def _city():
    from epicommand.core.models import Region, Role, Unit, User

    L, K = Region.Level, Unit.Kind
    city = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    Unit.objects.create(name="市指挥部办公室", kind=K.COMMAND_OFFICE, region=city)
    counties = []
    for code, name in (("130102", "长安区"), ("130109", "藁城区"), ("130183", "晋州市")):
        county = Region.objects.create(code=code, name=name, level=L.COUNTY, parent=city)
        counties.append(county)
        for kind in (K.PUBLIC_SECURITY, K.TRANSPORT, K.HEALTH_COMMISSION, K.CDC, K.COMMERCE,
                     K.MARKET_REGULATION, K.CIVIL_AFFAIRS, K.EDUCATION):  # fmt: skip
            Unit.objects.create(name=f"{name}{kind.label}", kind=kind, region=county)
        for t in range(1, 11):
            township = Region.objects.create(
                code=f"{code}{t:03d}", name=f"{name}镇{t}", level=L.TOWNSHIP, parent=county
            )
            Unit.objects.create(
                name=f"{township.name}政府", kind=K.TOWNSHIP_GOVERNMENT, region=township
            )
            for v in range(1, 6):
                Region.objects.create(
                    code=f"{township.code}{v:03d}",
                    name=f"村{v}",
                    level=L.VILLAGE,
                    parent=township,
                )
    city_office = User.objects.create_user("bench_city", role=Role.CITY_OFFICE, scope_region=city)
    county_office = User.objects.create_user(
        "bench_county", role=Role.COUNTY_OFFICE, scope_region=counties[1]
    )
    police = Unit.objects.get(region=counties[1], kind=K.PUBLIC_SECURITY)
    officer = User.objects.create_user(
        "bench_police", role=Role.DEPARTMENT_OFFICER, scope_region=counties[1], unit=police
    )
    return city_office, county_office, officer, police


def _roster(officer, police, staff: int, url: str) -> dict:
    """Register `staff` persons, write their roster, import it, then COPY the same file."""
    from epicommand.core.policy_vaccination import KEY_GROUPS
    from epicommand.simulation import vaccination_demo
    from epicommand.vaccination.services import rosters

    rng = random.Random(11)
    from datetime import date

    persons, _created = vaccination_demo._persons(rng, staff, date.today())
    from epicommand.people.models import Person

    numbers = Person.objects.filter(pk__in=[p for p, _b in persons]).values_list(
        "id_number", flat=True
    )
    path = databases.run_dir() / "roster.csv"
    groups = [code for code, _label in KEY_GROUPS]
    with open(path, "w", encoding="utf-8") as f:
        f.write("id_number,group,job\n")
        for n, number in enumerate(numbers.iterator()):
            f.write(f"{number},{groups[n % len(groups)]},岗位{n % 50}\n")
    started = time.perf_counter()
    with open(path, "rb") as f:
        result = rosters.import_roster(officer, police, f, "roster.csv")
    seconds = time.perf_counter() - started
    if result.error_count:
        raise RuntimeError(f"roster refused: {result.errors[:5]}")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE bare_roster (id_number text, grp text, job text)")
        conn.commit()
        copy_started = time.perf_counter()
        with conn.cursor() as cursor, open(path, "rb") as f:
            with cursor.copy("COPY bare_roster FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        copy_seconds = time.perf_counter() - copy_started
    path.unlink()
    return {"roster": result.created, "roster_seconds": seconds, "copy_seconds": copy_seconds}


def _child(staff: int, doses: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from epicommand.core.policy_vaccination import KEY_GROUPS
    from epicommand.simulation import vaccination_demo
    from epicommand.vaccination import queries
    from epicommand.vaccination.models import Coverage, Series

    city_office, county_office, officer, police = _city()
    out = _roster(officer, police, staff, os.environ["DATABASE_URL"])
    first = vaccination_demo.seed_vaccination("bench", doses=doses, sites=40)
    today = timezone.localdate()
    out |= {"doses_1": first.doses, "seed_1_seconds": first.seconds}
    out["overdue_count"] = Series.objects.filter(complete=False, next_by__lt=today).count()
    rng = random.Random(7)
    in_county = Coverage.objects.filter(region__code__startswith="130109", unit_key__gt=0)
    units = list(in_county.values_list("unit_key", flat=True).distinct())
    groups = [code for code, _label in KEY_GROUPS]
    pages = [p.pk for p in queries.series_page(county_office, today=today)]

    def overdue(pick):
        kind = pick % 4
        queries.series_page(
            county_office,
            today=today,
            unit_id=rng.choice(units) if kind == 1 else None,
            group=rng.choice(groups) if kind == 2 else "",
            after=pages[-1] if kind == 3 and pages else None,
        )

    bare_sql = (
        "SELECT id FROM vaccination_series WHERE NOT complete AND next_by < %s "
        "AND region_id >= %s AND region_id < %s ORDER BY id DESC LIMIT 50"
    )

    def bare(_pick):
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, [today, "130109", "130109:"])
            cursor.fetchall()

    overdue(0), bare(0)
    out["overdue"] = timed_ms(overdue, range(runs))
    out["overdue_bare"] = timed_ms(bare, range(runs))
    print(json.dumps(out), flush=True)  # the first half, should the second not finish

    second = vaccination_demo.add_doses(random.Random("bench-2"), doses, today=today)
    out |= {"doses_2": first.doses + second.doses, "seed_2_seconds": second.seconds}
    out["tally_rows"] = Coverage.objects.count()
    county_codes = ["130102", "130109", "130183"]

    def coverage(pick):
        kind = pick % 3
        if kind == 0:
            queries.coverage(city_office)
        elif kind == 1:
            queries.coverage(city_office, region_code=rng.choice(county_codes))
        else:
            queries.coverage(city_office, unit_id=rng.choice(units))

    def naive(_pick):
        with connection.cursor() as cursor:
            cursor.execute('SELECT "group", count(*) FROM vaccination_dose GROUP BY 1')
            cursor.fetchall()

    coverage(0)
    out["coverage"] = timed_ms(coverage, range(runs))
    out["coverage_naive"] = timed_ms(naive, range(max(5, runs // 20)))
    print(json.dumps(out))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, type=int, metavar=("STAFF", "DOSES", "RUNS"))
    _child(*parser.parse_args().child)
