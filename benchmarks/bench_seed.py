"""seed-city: persons per second on each database, beside the raw rate of inserting the same
number of bare one-column rows through the same path (executemany in one transaction on
SQLite, COPY on PostgreSQL) on the same machine in the same run.

A seeded person is far more than a bare row: a generated family, a unique ID number, a
household row, seven secondary indexes, foreign keys. The ratio says what all of that
costs against the fastest the database can take rows at all."""

import sqlite3
import time
from itertools import islice

import psycopg

from . import databases

ORDER = 10  # first: it makes the seeded databases the other benchmarks read
SQLITE_BATCH = 5000  # as core.bulk


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        seeding = database.seeding
        rows, seconds, method = bare_rows_baseline(database, seeding.persons)
        lines += [
            f"{database.label:<11} seed-city  {seeding.persons:>10,} persons "
            f"{seeding.seconds:7.1f} s  {seeding.persons_per_second:>9,.0f} persons/s"
            f"   (process {seeding.wall_seconds:.1f} s)",
            f"{'':<11} baseline   {rows:>10,} bare rows {seconds:5.2f} s  "
            f"{rows / seconds:>9,.0f} rows/s ({method})",
            f"{'':<11} ratio      seed-city persons/s = "
            f"{seeding.persons_per_second / (rows / seconds):.1%} of the bare-row rate",
        ]
    return lines + databases.skipped_lines(args)


def bare_rows_baseline(database, rows: int) -> tuple[int, float, str]:
    if database.vendor == "sqlite":
        return rows, _sqlite_bare_rows(rows), "executemany, one transaction"
    return rows, _postgres_bare_rows(database.location, rows), "COPY, one transaction"


def _sqlite_bare_rows(rows: int) -> float:
    """Into a file beside the benchmark database, with the journal settings EpiCommand
    uses (WAL, synchronous=NORMAL), in batches as core.bulk writes them."""
    path = databases.run_dir() / "baseline.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("DROP TABLE IF EXISTS bare")
        connection.execute("CREATE TABLE bare (value INTEGER)")
        values = ((i,) for i in range(rows))
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        while batch := list(islice(values, SQLITE_BATCH)):
            connection.executemany("INSERT INTO bare (value) VALUES (?)", batch)
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()
        for leftover in path.parent.glob("baseline.sqlite3*"):
            leftover.unlink()


def _postgres_bare_rows(url: str, rows: int) -> float:
    with psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE bench_bare (value bigint)")
        connection.commit()
        started = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            with cursor.copy("COPY bench_bare (value) FROM STDIN") as copy:
                for i in range(rows):
                    copy.write_row((i,))
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bench_bare")
        connection.commit()
    return seconds
