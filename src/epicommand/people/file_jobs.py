"""The person export and import, in the request or, above the policy's size, as a
background file job (core.filejobs): `export_persons` and `import_or_queue` decide."""

import itertools

from django.utils.translation import gettext_lazy as _

from epicommand.core import filejobs, policy, uploads
from epicommand.core.access import Capability, require, scope_code
from epicommand.core.models import FileJob

from .exports import csv_chunks, person_pages
from .imports import ImportResult, RowError, import_persons, rejection
from .queries import count_persons
from .services import note_persons_exported

KIND = "people.persons"
XLSX_MAX_ROWS = 1_048_576


def export_persons(who, query: str = "", region_code: str | None = None, *, fmt: str = "csv"):
    """Audits the export now, before any row is read, then either returns the CSV text
    chunks (up to the policy's `export_inline_rows`) or a FileJob the worker writes (more
    rows, or any XLSX)."""
    require(who, Capability.EXPORT_PERSONS)
    count = count_persons(who, query, region_code=region_code)
    region = region_code or scope_code(who)
    if fmt == "xlsx" and count >= XLSX_MAX_ROWS:
        fmt = "csv"  # a sheet holds 1,048,576 rows, header included: CSV holds any number
    background = fmt == "xlsx" or count > policy.active().data.export_inline_rows
    note_persons_exported(
        who,
        count=count,
        region_code=region,
        fmt=fmt + (", in the background" if background else ""),
        query=query,
    )
    if not background:
        return csv_chunks(who, query, region_code)
    params = {"q": query, "region": region_code, "region_code": region}
    return filejobs.start_export(who, KIND, f"persons.{fmt}", rows=count, params=params)


@filejobs.exporter(KIND, Capability.EXPORT_PERSONS, _("Persons"))
def person_rows(who, params: dict):
    pages = person_pages(who, params.get("q", ""), params.get("region"))
    return itertools.chain.from_iterable(pages)


def import_or_queue(actor, upload) -> ImportResult | FileJob:
    """Import the upload now, or, above the policy's `import_inline_kb`, queue it for the
    worker. A file past a bound (core.uploads) is refused before it is kept anywhere."""
    require(actor, Capability.IMPORT_PERSONS)
    if uploads.size_of(upload) <= policy.active().data.import_inline_kb * 1024:
        return import_persons(actor, upload, upload.name)
    try:
        uploads.check_file(upload, upload.name or "")
    except uploads.Refused as refused:
        return rejection([RowError(refused.line, "", refused.message)], 1)
    return filejobs.start_import(actor, KIND, upload)


@filejobs.importer(KIND, Capability.IMPORT_PERSONS, _("Persons"))
def import_file(actor, fileobj, filename: str, progress) -> dict:
    result = import_persons(actor, fileobj, filename, progress)
    return as_dict(result)


def as_dict(result: ImportResult) -> dict:
    return {
        "created": result.created,
        "households_created": result.households_created,
        "error_count": result.error_count,
        "summary": str(result.summary),
        "errors": [
            {"line": e.line, "column": e.column, "message": str(e.message)} for e in result.errors
        ],
    }
