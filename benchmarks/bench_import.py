"""The person import against a bare COPY of the same file, on PostgreSQL.

Writes a CSV of `args.people` valid persons (three to a household) and times
`import_persons` on it in a fresh database of its own, `epicommand_bench_import`, in a child
process set up for that database. In the same run it times a plain COPY of the same file
into an all-text table with the same columns: the ratio is what validation, staging,
constraints and indexes cost over loading raw text.

    python -m benchmarks --only import --databases postgresql --people 1000000
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

# Needs no Django settings, so the runner can import this module as it is.
from epicommand.core.idnumbers import make_id_number

from . import databases

DATABASE = "epicommand_bench_import"
COLUMNS = (
    "name",
    "id_number",
    "passport_number",
    "nationality",
    "sex",
    "birth_date",
    "phone",
    "region_code",
    "address",
    "household",
)
CITY, COUNTY, TOWNSHIP = "130100", "130109", "130109104"
VILLAGES = tuple(f"{TOWNSHIP}{n:03d}" for n in range(201, 211))
DAYS = 29_000  # birth dates from 1940 to 2019; the ID sequence tells equal dates apart


def run(args) -> list[str]:
    if "postgresql" not in databases.vendors(args):
        return ["PostgreSQL  skipped: not in --databases (the import is measured there only)"]
    database = databases.fresh_database("postgresql", DATABASE)
    if database is None:
        return databases.skipped_lines(args)
    path = databases.run_dir() / "import_persons.csv"
    write_persons_csv(path, args.people)
    imported = time_import(database, path)
    copy_seconds = time_copy(database.location, path)
    path.unlink()
    if imported["created"] != args.people:
        raise RuntimeError(f"imported {imported['created']} of {args.people}: {imported['errors']}")
    seconds, people = imported["seconds"], args.people
    return [
        f"PostgreSQL  import     {people:>10,} persons {seconds:7.1f} s  "
        f"{people / seconds:>9,.0f} rows/s   ({imported['households']:,} households; "
        f"peak memory {imported['peak_rss_mb']:,.0f} MB)",
        f"{'':<11} baseline   {people:>10,} rows    {copy_seconds:7.1f} s  "
        f"{people / copy_seconds:>9,.0f} rows/s   (COPY of the same file, all-text table)",
        f"{'':<11} ratio      import takes {seconds / copy_seconds:.1f}x the bare COPY",
    ]


def write_persons_csv(path: Path, people: int) -> None:
    start = date(1940, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for n in range(people):
            born, sex = start + timedelta(days=n % DAYS), "M" if n % 2 else "F"
            village = VILLAGES[(n // 3) % len(VILLAGES)]
            writer.writerow(
                (
                    f"居民{n}",
                    make_id_number(COUNTY, born, n // DAYS, sex),
                    "",
                    "CHN",
                    sex,
                    born.isoformat(),
                    f"138{n:08d}",
                    village,
                    f"幸福路 {n // 3} 号",
                    f"{village}{n // 3:07d}",
                )
            )


def time_import(database, path: Path) -> dict:
    """In a process of its own, so Django is set up for this database and the peak memory
    is the import's alone."""
    output = databases.run_module(database, "benchmarks.bench_import", "--child", str(path))
    return json.loads(output.strip().splitlines()[-1])


def time_copy(url: str, path: Path) -> float:
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in COLUMNS)
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("CREATE TABLE bare_persons ({})").format(columns))
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, open(path, "rb") as f:
            with cursor.copy("COPY bare_persons FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def _child(path: str) -> None:
    """In the child: seed the regions and an office user, then time the import alone."""
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    django.setup()
    from epicommand.people.imports import import_persons

    actor = _seed()
    started = time.perf_counter()
    with open(path, "rb") as f:
        result = import_persons(actor, f, Path(path).name)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "created": result.created,
                "households": result.households_created,
                "peak_rss_mb": peak_kb / 1024,
                "errors": [str(e) for e in result.errors[:5]],
            }
        )
    )


def _seed():
    from epicommand.core.models import Region, Role, User

    level = Region.Level
    city = Region.objects.create(code=CITY, name="石家庄市", level=level.CITY)
    county = Region.objects.create(code=COUNTY, name="藁城区", level=level.COUNTY, parent=city)
    township = Region.objects.create(
        code=TOWNSHIP, name="增村镇", level=level.TOWNSHIP, parent=county
    )
    Region.objects.bulk_create(
        Region(code=code, name=f"村{code[-3:]}", level=level.VILLAGE, parent=township)
        for code in VILLAGES
    )
    return User.objects.create_user("bench_office", role=Role.CITY_OFFICE, scope_region=city)


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_import --child FILE`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", metavar="CSV", required=True)
    _child(parser.parse_args().child)
