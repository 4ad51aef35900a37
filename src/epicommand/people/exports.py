"""Exports of persons, streamed page by page so a county's whole list never sits in
memory. Both the web page and the API serve these; each export is audited once, before
its first byte, so a client that reads part of it and goes away still leaves the event."""

import io

from epicommand.core import spreadsheets
from epicommand.core.access import scope_code

from .imports import COLUMNS
from .queries import count_persons, search_persons
from .services import note_persons_exported


def export_persons_csv(who, query: str = "", region_code: str | None = None):
    """Audits the export now and returns the CSV text chunks of every person visible to
    `who` matching the search."""
    count = count_persons(who, query, region_code=region_code)
    note_persons_exported(
        who, count=count, region_code=region_code or scope_code(who), fmt="csv", query=query
    )
    return csv_chunks(who, query, region_code)


def person_pages(who, query: str, region_code: str | None):
    """The export's rows, page by page: the header (the import's columns, so that an
    export can be imported again), then a list of rows per page of persons."""
    yield [COLUMNS]
    after = None
    while True:
        rows, after = search_persons(who, query, after=after, limit=2000, region_code=region_code)
        yield [
            (
                p.name,
                p.id_number or "",
                p.passport_number,
                p.nationality,
                p.sex,
                p.birth_date.isoformat(),
                p.phone,
                p.region_id,
                p.address,
                p.household.code if p.household_id else "",
            )
            for p in rows
        ]
        if after is None:
            break


def csv_chunks(who, query: str, region_code: str | None):
    buffer = io.StringIO()
    writer = spreadsheets.CsvWriter(buffer)
    for page in person_pages(who, query, region_code):
        for row in page:
            writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
