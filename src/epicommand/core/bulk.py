"""The one bulk-write path (DESIGN "Bulk paths"): COPY on PostgreSQL, batched executemany
on SQLite. Callers hold the transaction; rows are tuples in `columns` order, dates as
`date`, datetimes as naive UTC `datetime` (both databases read those the same way)."""

from collections.abc import Iterable
from itertools import islice

from django.db import connection

SQLITE_BATCH = 5000


def bulk_insert(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert rows as they come (an iterator is never materialized); returns the count."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
        raw = cursor.cursor  # sqlite3 cursor: skips Django's per-row placeholder rewrite
        rows = iter(rows)
        while batch := list(islice(rows, SQLITE_BATCH)):
            raw.executemany(sql, batch)
            count += len(batch)
    return count
