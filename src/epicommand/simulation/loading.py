"""What a bulk load into empty tables does around core.bulk.bulk_insert: build secondary
indexes once at the end instead of row by row, give SQLite a large page cache, move
PostgreSQL's id sequences past explicit ids, and refresh planner statistics.

All of it runs inside the caller's transaction (DDL is transactional on both databases),
so a failed load leaves the schema exactly as it was."""

from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection

# SQLite page cache while loading (KiB): index pages of a million persons stay in memory
# instead of being re-read for every insert.
SQLITE_LOAD_CACHE_KIB = 512 * 1024


@contextmanager
def indexes_built_afterwards(*tables: str):
    """Drop the secondary indexes of empty tables (and on PostgreSQL their foreign keys),
    and create them again on success. Sorting a million keys once is about twice as fast
    as inserting them one by one (SQLite: 17.6 s against 32.4 s for a million persons), and
    PostgreSQL validates a re-added foreign key with one join where it would otherwise
    queue a check per row (1 s against 17 s). Indexes that back a primary key or a unique
    constraint stay, so duplicates are still refused at once."""
    with connection.cursor() as cursor:
        empty = [t for t in tables if _is_empty(cursor, t)]
        indexes = [i for t in empty for i in _secondary_indexes(cursor, t)]
        foreign_keys = [k for t in empty for k in _foreign_keys(cursor, t)]
        _run_pending_checks(cursor, foreign_keys)
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {_quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        _run_pending_checks(cursor, foreign_keys)
        for table, name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )


def _run_pending_checks(cursor, foreign_keys) -> None:
    """PostgreSQL refuses to alter a table (the referenced ones too) while deferred
    foreign-key checks on it are pending: run them now, as commit would, then defer again
    (Django creates every foreign key INITIALLY DEFERRED)."""
    if foreign_keys:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _is_empty(cursor, table: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
    return cursor.fetchone() is None


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    if connection.vendor == "sqlite":
        # Indexes SQLite made for UNIQUE and PRIMARY KEY have no SQL and cannot be dropped.
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
            [table],
        )
        return cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) "
        "ORDER BY i.relname",
        [table],
    )
    return cursor.fetchall()


def _foreign_keys(cursor, table: str) -> list[tuple[str, str, str]]:
    """SQLite checks a foreign key with one lookup per row already; only PostgreSQL's."""
    if connection.vendor != "postgresql":
        return []
    cursor.execute(
        "SELECT %s, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table, table],
    )
    return cursor.fetchall()


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def sqlite_load_cache():
    if connection.vendor != "sqlite":
        yield
        return
    previous = _pragma("cache_size")
    _pragma(f"cache_size = -{SQLITE_LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        _pragma(f"cache_size = {previous}")


def _pragma(statement: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {statement}")
        row = cursor.fetchone()
    return row[0] if row else None


def reset_id_sequences(models: list) -> None:
    """Rows came with explicit ids; PostgreSQL's sequences must move past them (SQLite's
    AUTOINCREMENT follows by itself, and Django returns no statements for it)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def refresh_statistics(*tables: str) -> None:
    """Both planners choose indexes from statistics a fresh load does not have yet.
    Without them SQLite serves the city office's keyset page by sorting the whole
    (region, id) index range (0.25 s at a million persons instead of about 1 ms), and
    PostgreSQL may scan. SQLite samples 1,000 rows per index, so this takes milliseconds."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        for table in tables:
            cursor.execute(f"ANALYZE {_quote(table)}")
