"""The benchmark databases of a run: a temporary SQLite file and the PostgreSQL database
`epicommand_bench`, created fresh, migrated and seeded once by the `epicommand` command in
subprocesses (settings read DATABASE_URL / SQLITE_PATH once per process), then shared by
every benchmark of the run.

Benchmarks call `seeded_databases(args)`; `epicommand(...)` and `run_module(...)` run
more commands or probe scripts against one of them."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_NAME = "epicommand_bench"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Seeding:
    persons: int
    seconds: float  # as the command measured it: its transaction, no process start-up
    wall_seconds: float  # the whole `epicommand seed-city` process

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds


@dataclass
class Database:
    vendor: str
    location: str  # the SQLite file or the PostgreSQL URL
    env: dict[str, str] = field(repr=False)
    seeding: Seeding | None = None

    @property
    def label(self) -> str:
        return LABELS[self.vendor]


_run_dir: Path | None = None
_seeded: dict[str, Database] = {}
_postgres_names: list[str] = []  # created in this run, dropped at the end
skipped: dict[str, str] = {}  # vendor -> why it is not measured in this run


def add_arguments(parser) -> None:
    parser.add_argument(
        "--people",
        type=int,
        default=1_000_000,
        help="persons in the seeded city (default 1,000,000)",
    )
    parser.add_argument("--seed", default="2021", help="seed of the city (default 2021)")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark databases after the run"
    )


def vendors(args) -> list[str]:
    return [v.strip() for v in args.databases.split(",") if v.strip()]


def seeded_databases(args) -> list[Database]:
    """The run's databases, seeded with args.people persons (the first caller seeds)."""
    for vendor in vendors(args):
        if vendor not in _seeded and vendor not in skipped:
            database = fresh_database(vendor)
            if database is not None:
                database.seeding = seed(database, args)
                _seeded[vendor] = database
    return [_seeded[v] for v in vendors(args) if v in _seeded]


def fresh_database(vendor: str, name: str = "") -> Database | None:
    """An empty, migrated database; None (and a reason in `skipped`) if it cannot be had.
    `name` gives a benchmark its own database besides the shared one."""
    env = {**os.environ, "EPICOMMAND_VAR_DIR": str(run_dir())}
    env.pop("DATABASE_URL", None)
    if vendor == "sqlite":
        path = run_dir() / f"{name or 'bench'}.sqlite3"
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
        database = Database(vendor, str(path), {**env, "SQLITE_PATH": str(path)})
    elif vendor == "postgresql":
        url = _recreate_postgres(name or POSTGRES_NAME)
        if url is None:
            return None
        database = Database(vendor, url, {**env, "DATABASE_URL": url})
    else:
        raise ValueError(f"unknown database {vendor!r}: use sqlite or postgresql")
    epicommand(database, "migrate", "--no-input", "-v", "0")
    return database


def seed(database: Database, args) -> Seeding:
    print(f"   seeding {database.label} with {args.people:,} persons ...", flush=True)
    started = time.perf_counter()
    output = epicommand(
        database, "seed-city", "--people", str(args.people), "--seed", str(args.seed)
    )
    wall = time.perf_counter() - started
    found = re.search(r"([\d,]+) persons in ([\d.]+) s", output.splitlines()[-1])
    return Seeding(int(found[1].replace(",", "")), float(found[2]), wall)


def epicommand(database: Database, *arguments: str) -> str:
    return _run(database, "-m", "epicommand.cli", *arguments)


def run_module(database: Database, module: str, *arguments: str) -> str:
    """Run `python -m module` (e.g. a probe in this package) against the database."""
    return _run(database, "-m", module, *arguments)


def _run(database: Database, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, *arguments], env=database.env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(arguments)} failed on {database.label}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def run_dir() -> Path:
    global _run_dir
    if _run_dir is None:
        _run_dir = Path(tempfile.mkdtemp(prefix="epicommand-bench-"))
    return _run_dir


def postgres_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _recreate_postgres(name: str) -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            if name not in _postgres_names:
                _postgres_names.append(name)
    except psycopg.OperationalError as exc:
        skipped["postgresql"] = f"not reachable at {POSTGRES_ADMIN_URL}: {exc}".strip()
        return None
    return postgres_url(name)


def clean_up(args) -> None:
    if args.keep:
        if _run_dir is not None:
            print(f"\nKept: {_run_dir} and PostgreSQL {', '.join(_postgres_names)}")
        return
    if _run_dir is not None:
        shutil.rmtree(_run_dir, ignore_errors=True)
    for name in _postgres_names:
        _drop_postgres(name)


def _drop_postgres(name: str) -> None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass  # nothing left to clean if the server went away


def skipped_lines(args) -> list[str]:
    return [f"{LABELS[v]:<11} skipped: {skipped[v]}" for v in vendors(args) if v in skipped]
