"""The one bulk-write path (DESIGN "Bulk paths"): COPY on PostgreSQL, batched executemany
on SQLite. Callers hold the transaction; rows are tuples in `columns` order, dates as
`date`, datetimes as naive UTC `datetime` (both databases read those the same way)."""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice

from django.db import connection
from django.db.models.expressions import RawSQL

SQLITE_BATCH = 5000


def bulk_insert(
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple],
    *,
    skip_existing: str | None = None,
) -> int:
    """Insert rows as they come (an iterator is never materialized); returns the count.

    With `skip_existing` (a column under a unique constraint) a row whose value is already
    stored is left out instead of failing the transaction: devices retry, and two retries
    of one batch may race. On PostgreSQL the rows then go through a COPY into a temporary
    staging table and one `INSERT ... SELECT ... ON CONFLICT DO NOTHING`; the count is
    then the rows actually inserted."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    quoted = connection.ops.quote_name(table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            target = quoted
            if skip_existing:
                target = connection.ops.quote_name(f"{table}_staging")
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DELETE ROWS AS "
                    f"SELECT {names} FROM {quoted} WITH NO DATA"
                )
                cursor.execute(f"TRUNCATE {target}")
            with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if skip_existing:
                conflict = connection.ops.quote_name(skip_existing)
                cursor.execute(
                    f"INSERT INTO {quoted} ({names}) SELECT {names} FROM {target} "
                    f"ON CONFLICT ({conflict}) DO NOTHING"
                )
                count = cursor.rowcount
            return count
        verb = "INSERT OR IGNORE" if skip_existing else "INSERT"
        sql = f"{verb} INTO {quoted} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
        raw = cursor.cursor  # sqlite3 cursor: skips Django's per-row placeholder rewrite
        rows = iter(rows)
        while batch := list(islice(rows, SQLITE_BATCH)):
            before = connection.connection.total_changes
            raw.executemany(sql, batch)
            count += connection.connection.total_changes - before
    return count


def bulk_update(table: str, key: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Set `columns` on the rows whose `key` is given; each row is (key, *values). On
    PostgreSQL through COPY into a staging table and one `UPDATE ... FROM`; on SQLite an
    executemany of single-row updates on the key. Returns the rows given."""
    quote = connection.ops.quote_name
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One staging table per column set: a session's temp table keeps the columns
            # of its first use, and another update of the same table may set others.
            digest = hashlib.sha1(",".join((key, *columns)).encode()).hexdigest()[:8]
            stage = quote(f"{table}_update_{digest}")
            listed = ", ".join(quote(c) for c in (key, *columns))
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                f"SELECT {listed} FROM {quote(table)} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {stage}")
            with cursor.cursor.copy(f"COPY {stage} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {quote(table)} t SET {sets} FROM {stage} s "
                f"WHERE t.{quote(key)} = s.{quote(key)}"
            )
            return count
        sets = ", ".join(f"{quote(c)} = ?" for c in columns)
        sql = f"UPDATE {quote(table)} SET {sets} WHERE {quote(key)} = ?"
        raw = cursor.cursor
        rows = iter(rows)
        while batch := list(islice(rows, SQLITE_BATCH)):
            raw.executemany(sql, [(*row[1:], row[0]) for row in batch])
            count += len(batch)
    return count


def many(values, sql_type: str = "bigint"):
    """The right side of an `__in` for thousands of values (numbers or text), as one
    parameter: an array on PostgreSQL, a JSON array read by `json_each` on SQLite. A plain
    list would have Django prepare (and the driver bind) one parameter per value, which
    costs more than the look-up itself when a batch of cases reads 50,000 persons."""
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{sql_type}[])", (list(values),))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(values)),))


def naive_utc(value: datetime | None) -> datetime | None:
    """A datetime as the bulk paths write it: naive UTC (None stays None)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def chunks(items: Iterable, size: int = SQLITE_BATCH):
    """`items` in lists of at most `size`, for look-ups and writes that must stay under
    the databases' bound-parameter limits."""
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk
