"""A lab's results file (CSV or XLSX) read into items for services.results.record_results,
whose errors (`items[3].ct_n`) come back as the file's line and column, as the person
import reports them (people/imports.py); a line without a client id is given its line's.
One header line naming the columns:

    tube, result, ct_orf1ab, ct_n, ct_e, reagent, tested_at [, client_id]

`result` is negative, positive or invalid (阴性, 阳性, 无效 are read too); Ct values are
numbers or empty; `tested_at` is "2021-01-12 08:30" in Beijing time (an XLSX date cell
works too)."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from epicommand.core import uploads
from epicommand.core.intake import BatchResult

from .services.results import MAX_FILE_ROWS, record_results

COLUMNS = ("tube", "result", "ct_orf1ab", "ct_n", "ct_e", "reagent", "tested_at", "client_id")
REQUIRED = ("tube", "result")
MAX_LISTED = 1000
ROW_FIELD = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")


@dataclass(frozen=True, order=True)
class LineError:
    line: int  # 1-based line of the file, the header being line 1; 0 is the whole file
    column: str
    message: str


@dataclass
class FileOutcome:
    batch: BatchResult | None = None
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0

    @property
    def summary(self) -> str:
        if self.batch is not None:
            return self.batch.figures["summary"]
        return _("%(n)d errors; nothing was recorded") % {"n": self.error_count}


class _Unreadable(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.error = LineError(line, "", message)


def record_results_file(actor, lab, fileobj, filename: str, *, now=None) -> FileOutcome:
    """Read the whole file, then record it as one batch, or refuse it with every error
    by line and column. Permission errors propagate (the caller answers 403)."""
    try:
        lines, rows = read_rows(fileobj, filename)
    except _Unreadable as exc:
        return FileOutcome(errors=[exc.error], error_count=1)
    if not rows:
        return FileOutcome(
            errors=[LineError(2, "", _("the file has no results below the header"))], error_count=1
        )
    try:
        for line, row in zip(lines, rows, strict=True):
            row["client_id"] = row.get("client_id") or f"line-{line}"
        return FileOutcome(batch=record_results(actor, lab, rows, now=now, max_items=MAX_FILE_ROWS))
    except ValidationError as exc:
        errors = [
            _line_error(key, message, lines)
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
        return FileOutcome(errors=sorted(errors)[:MAX_LISTED], error_count=len(errors))


def _line_error(key: str, message: str, lines: list[int]) -> LineError:
    match = ROW_FIELD.match(key)
    if match is None:
        return LineError(0, key, message)
    return LineError(lines[int(match.group(1))], match.group(2) or "", message)


def read_rows(fileobj, filename: str) -> tuple[list[int], list[dict]]:
    """(line of each row, rows as dicts of the named columns); blank lines are skipped."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _Unreadable(
            0, _("unsupported file type %(s)r: upload a .csv or .xlsx file") % {"s": suffix}
        )
    try:
        # The policy's bounds on uploads (core.uploads): size and expanded size first.
        uploads.check_file(fileobj, filename)
        table = uploads.bounded(_read_csv(fileobj) if suffix == ".csv" else _read_xlsx(fileobj))
        header = next(table, (1, []))[1]
        positions = _positions(header)
        lines, rows = [], []
        for line, cells in table:
            if not any(c not in ("", None) for c in cells):
                continue
            lines.append(line)
            rows.append(
                {
                    name: _value(name, cells[i] if i < len(cells) else "")
                    for name, i in positions.items()
                }
            )
    except uploads.Refused as refused:
        raise _Unreadable(refused.line, refused.message) from None
    return lines, rows


def _value(column: str, cell):
    """Ct values and times as the cell holds them; a barcode typed as a number is text."""
    if column.startswith("ct_") or column == "tested_at" or isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _positions(header: list) -> dict[str, int]:
    names = [str(c or "").strip().lower() for c in header]
    positions = {name: i for i, name in enumerate(names) if name}
    unknown = [n for n in positions if n not in COLUMNS]
    missing = [n for n in REQUIRED if n not in positions]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if unknown or missing or repeated:
        problems = []
        if missing:
            problems.append(_("missing column %(c)s") % {"c": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown column %(c)s") % {"c": ", ".join(unknown)})
        if repeated:
            problems.append(_("repeated column %(c)s") % {"c": ", ".join(repeated)})
        raise _Unreadable(
            1,
            _("%(p)s; the header must name columns among: %(all)s")
            % {"p": "; ".join(problems), "all": ", ".join(COLUMNS)},
        )
    return positions


def _read_csv(fileobj):
    raw = fileobj.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unreadable(0, _('is not UTF-8 text: save the file as "CSV UTF-8"')) from None
    reader = csv.reader(io.StringIO(text))
    line = 1
    try:
        for cells in reader:
            yield line, [c.strip() for c in cells]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _Unreadable(line, _("is not valid CSV (%(e)s)") % {"e": exc}) from None


def _read_xlsx(fileobj):
    try:
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise _Unreadable(0, _("is not a readable XLSX workbook")) from None
    try:
        uploads.check_sheet(book.worksheets[0])
        for line, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            yield line, [_cell(v) for v in values]
    finally:
        book.close()


def _cell(value):
    """Numbers stay numbers (Ct values), date cells stay datetimes, the rest is text."""
    if value is None:
        return ""
    if isinstance(value, datetime | int | float):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return str(value).strip()
