"""Exports of persons, streamed page by page so a county's whole list never sits in
memory. Both the web page and the API serve these; each export is audited once."""

import csv
import io

from .queries import search_persons
from .services import note_persons_exported

EXPORT_COLUMNS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "passport_number",
    "nationality",
    "phone",
    "region_code",
    "address",
)


def export_persons_csv(who, query: str = "", region_code: str | None = None):
    """Yields CSV text chunks of every person visible to `who` matching the search."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    after, count = None, 0
    while True:
        rows, after = search_persons(who, query, after=after, limit=2000, region_code=region_code)
        for p in rows:
            writer.writerow(
                (
                    p.id,
                    p.name,
                    p.sex,
                    p.birth_date.isoformat(),
                    p.id_number or "",
                    p.passport_number,
                    p.nationality,
                    p.phone,
                    p.region_id,
                    p.address,
                )
            )
        count += len(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if after is None:
            break
    note_persons_exported(
        who, count=count, region_code=region_code or who.scope_prefix, fmt="csv", query=query
    )
