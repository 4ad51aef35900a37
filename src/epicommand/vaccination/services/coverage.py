"""The coverage tally (models.Coverage): services add to it in their own transaction, so
the dashboard adds up a few thousand rows instead of counting millions of doses."""

from django.db import connection

from ..models import Coverage

_TABLE = Coverage._meta.db_table


def add(rows: dict[tuple[str, int, str], tuple[int, int, int]]) -> None:
    """Add {(region code, unit id or 0, group): (rostered, begun, complete)} to the tally,
    in one upsert per row, in key order so that two transactions cannot deadlock."""
    _upsert(rows, "t.rostered + excluded.rostered")


def set_rostered(rows: dict[tuple[str, int, str], int]) -> None:
    """Set the rostered figure of these keys (an employer's roster just re-read)."""
    _upsert({key: (n, 0, 0) for key, n in rows.items()}, "excluded.rostered")


def _upsert(rows, rostered_sql: str) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(_TABLE)} AS t (region_id, unit_key, {quote('group')}, rostered, "
        f"begun, complete) VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (region_id, unit_key, {quote('group')}) DO UPDATE SET "
        f"rostered = {rostered_sql}, begun = t.begun + excluded.begun, "
        f"complete = t.complete + excluded.complete"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*key, *values) for key, values in sorted(rows.items())])
