"""The person import against a bare COPY of the same file, on PostgreSQL.

Writes a CSV of `args.people` valid persons (three to a household), builds a fresh database,
and times `import_persons` on it in a child process set up for that database. In the same
run it times a plain COPY of the same file into an all-text table with the same columns:
the ratio is what validation, staging, constraints and indexes cost over raw loading.

    python -m benchmarks.bench_import --people 1000000
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

# Needs no Django settings, so the runner can import this module as it is.
from epicommand.core.idnumbers import make_id_number

REPO = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
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
    people = getattr(args, "people", 1_000_000)
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        path = Path(tmp) / "persons.csv"
        write_persons_csv(path, people)
        url = fresh_database()
        migrate(url)
        imported = time_import(url, path)
        copy_seconds = time_copy(url, path)
    if imported["created"] != people:
        raise RuntimeError(
            f"import_persons created {imported['created']} of {people}: {imported['errors']}"
        )
    seconds = imported["seconds"]
    return [
        f"import_persons: {people:,} persons in {seconds:.1f} s "
        f"({people / seconds:,.0f} rows/s; {imported['households']:,} households; "
        f"child peak RSS {imported['peak_rss_mb']:,.0f} MB)",
        f"bare COPY of the same file into an all-text table: {copy_seconds:.1f} s "
        f"({people / copy_seconds:,.0f} rows/s)",
        f"import / COPY: {seconds / copy_seconds:.1f}x",
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


def fresh_database() -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    return f"{SERVER}/{DATABASE}"


def migrate(url: str) -> None:
    command = Path(sys.executable).with_name("epicommand")
    subprocess.run(
        [str(command), "migrate", "--no-input", "-v", "0"], env=_env(url), check=True, cwd=REPO
    )


def time_import(url: str, path: Path) -> dict:
    """Runs the child below in a process of its own, so Django is set up for this database
    and its peak memory is the import's alone."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_import", "--child", str(path)],
        env=_env(url),
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "epicommand.settings"}


def _child(path: str) -> None:
    """In the child: seed the regions and an office user, then time the import alone."""
    import resource

    import django

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--child", metavar="CSV", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        _child(options.child)
    else:
        print("\n".join(run(options)))
