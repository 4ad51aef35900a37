"""Bounds on uploaded files (CSV and XLSX), by policy (`policy.active().data`), checked
before a file is read in full (issue 13, item 12). Every import reads its file through
here: `check_file` before opening it, `check_sheet` once an XLSX is open (read-only, so
streamed), `bounded` around its rows.

- The file's size: above `upload_max_mb`, refused before a byte is parsed.
- An XLSX is a zip archive whose members declare their uncompressed sizes; Python's zip
  reader never inflates a member past what it declares (a member that lies fails its
  checksum there). The declared sizes must add up to at most `xlsx_max_expanded_mb`, so
  a 400 KB file expanding to 400 MB is refused without inflating anything.
- The sheet's declared dimension, then the rows as they stream: at most `upload_max_rows`
  rows, `upload_max_columns` columns and `upload_max_cells` cells in all.
A refusal names the limit and the policy setting, and the line where it was passed."""

import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from . import policy

MB = 1024 * 1024


class Refused(Exception):
    """The file passes a bound. `line` 0 is the file as a whole."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def size_of(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if size is not None:
        return size
    here = fileobj.tell()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(here)
    return size


def check_file(fileobj, filename: str) -> None:
    """Refuse a file above the size bound, and an XLSX whose members declare more than
    the expanded bound. Leaves the file at its start."""
    rules = policy.active().data
    size = size_of(fileobj)
    if size > rules.upload_max_mb * MB:
        raise Refused(
            0,
            _("the file is %(s).1f MB; the limit is %(n)d MB (policy upload_max_mb)")
            % {"s": size / MB, "n": rules.upload_max_mb},
        )
    if filename.lower().endswith(".xlsx"):
        _check_archive(fileobj, rules.xlsx_max_expanded_mb)


def _check_archive(fileobj, limit_mb: int) -> None:
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise Refused(0, _("is not a readable XLSX workbook")) from None
    finally:
        fileobj.seek(0)
    if expanded > limit_mb * MB:
        raise Refused(
            0,
            _(
                "the workbook expands to %(s)d MB uncompressed; the limit is %(n)d MB "
                "(policy xlsx_max_expanded_mb)"
            )
            % {"s": expanded // MB, "n": limit_mb},
        )


def check_sheet(sheet) -> None:
    """Refuse a read-only sheet whose declared dimension passes the row or column bound."""
    rules = policy.active().data
    rows, columns = sheet.max_row, sheet.max_column  # None when the file declares none
    if rows is not None and rows - 1 > rules.upload_max_rows:
        raise Refused(0, _too_many_rows(rows - 1, rules.upload_max_rows))
    if columns is not None and columns > rules.upload_max_columns:
        raise Refused(0, _too_many_columns(columns, rules.upload_max_columns))


def bounded(table: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The (line, cells) of `table`, refused at the line that passes a bound."""
    rules = policy.active().data
    rows = cells = 0
    for line, values in table:
        width = len(values)
        while width and values[width - 1] in ("", None):
            width -= 1  # empty trailing cells (a sheet's formatted columns) are nothing
        if width > rules.upload_max_columns:
            raise Refused(line, _too_many_columns(width, rules.upload_max_columns))
        cells += width
        if cells > rules.upload_max_cells:
            raise Refused(
                line,
                _("the file has more than %(n)d cells (policy upload_max_cells)")
                % {"n": rules.upload_max_cells},
            )
        if rows > rules.upload_max_rows:  # the header is line 1, not a row
            raise Refused(line, _too_many_rows(rows, rules.upload_max_rows))
        rows += 1
        yield line, values


def _too_many_rows(rows: int, limit: int) -> str:
    return _(
        "the file has %(r)s rows or more; the limit is %(n)d rows (policy upload_max_rows)"
    ) % {
        "r": rows,
        "n": limit,
    }


def _too_many_columns(columns: int, limit: int) -> str:
    return _("a row has %(c)d columns; the limit is %(n)d columns (policy upload_max_columns)") % {
        "c": columns,
        "n": limit,
    }
