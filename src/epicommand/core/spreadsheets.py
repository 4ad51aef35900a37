"""Every CSV and XLSX export writes its cells through here, so that text a person typed
(a name, an address, a clinic's name) is never read as a formula by the spreadsheet that
opens it: a cell starting with = + - @, a tab or a carriage return is prefixed with an
apostrophe, which spreadsheets read as "this is text". tests/core/test_spreadsheet_cells.py
fails on an export module that writes cells another way."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """The value as a cell that cannot start a formula; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cells(values) -> list:
    return [cell(v) for v in values]


class CsvWriter:
    """csv.writer whose rows pass through cell()."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, values) -> None:
        self._writer.writerow(cells(values))


def append(sheet, values) -> None:
    """An openpyxl sheet's append(), each cell passed through cell()."""
    sheet.append(cells(values))
