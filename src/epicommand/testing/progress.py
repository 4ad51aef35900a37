"""A round's figures per village (RoundProgress) and its samples per county and hour
(RoundHour), added to in the same transaction as the samples and results they count, so
the statistics page sums a few thousand rows and never counts samples (DESIGN rule 7).

    progress.add(round_id, {"130109104201": {"sampled": 10}})
    progress.add_hours(round_id, {("130109", hour_start): 10})
"""

from collections.abc import Mapping
from datetime import datetime

from django.db import connection

from epicommand.core.bulk import naive_utc

from .models import RoundHour, RoundProgress

FIGURES = ("target", "sampled", "tested", "released", "positive_pools", "positives")


def add(round_id: int, deltas: Mapping[str, Mapping[str, int]]) -> None:
    """Add {village code: {figure: n}} to the round's rows, creating the rows it lacks.
    One upsert per 200 villages, in code order, so two writers never deadlock."""
    rows = []
    for code in sorted(deltas):
        figures = deltas[code]
        unknown = set(figures) - set(FIGURES)
        if unknown:
            raise ValueError(f"not a round figure: {sorted(unknown)}")
        if any(figures.values()):
            rows.append((round_id, code, *(figures.get(f, 0) for f in FIGURES)))
    table = connection.ops.quote_name(RoundProgress._meta.db_table)
    columns = ", ".join(("round_id", "region_id", *FIGURES))
    if any(value < 0 for row in rows for value in row[2:]):
        _add_moving_down(table, columns, rows)
        return
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIGURES)
    _upsert(table, columns, "round_id, region_id", updates, rows, len(FIGURES) + 2)


def _add_moving_down(table: str, columns: str, rows: list) -> None:
    """A figure that moves down cannot go through the upsert: both databases check the
    row proposed for insertion (a negative count) before they see the conflict. So the
    rows are made sure of first, then added to one by one, still in code order."""
    zeros = [(round_id, code, *([0] * len(FIGURES))) for round_id, code, *_ in rows]
    _upsert(table, columns, "round_id, region_id", "", zeros, len(FIGURES) + 2)
    sets = ", ".join(f"{f} = {f} + %s" for f in FIGURES)
    with connection.cursor() as cursor:
        for round_id, code, *figures in rows:
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE round_id = %s AND region_id = %s",
                [*figures, round_id, code],
            )


def add_hours(round_id: int, deltas: Mapping[tuple[str, datetime], int]) -> None:
    """Add {(county code, start of the hour): samples} to the round's hourly chart."""
    rows = [
        (round_id, county, naive_utc(hour), n) for (county, hour), n in sorted(deltas.items()) if n
    ]
    table = connection.ops.quote_name(RoundHour._meta.db_table)
    _upsert(
        table,
        "round_id, region_id, hour, sampled",
        "round_id, region_id, hour",
        f"sampled = {table}.sampled + excluded.sampled",
        rows,
        4,
    )


def hour_of(at: datetime) -> datetime:
    """The start of the (UTC) hour `at` falls in: the chart's bucket."""
    return at.replace(minute=0, second=0, microsecond=0)


def _upsert(table: str, columns: str, key: str, updates: str, rows: list, width: int) -> None:
    placeholders = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 200):
            chunk = rows[start : start + 200]
            action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({key}) {action}",
                [value for row in chunk for value in row],
            )
