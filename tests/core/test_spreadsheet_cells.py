"""Text a person typed never becomes a spreadsheet formula: core.spreadsheets prefixes a
cell starting with = + - @ (or a tab or carriage return) with an apostrophe, and every
export writes its cells through it. The exports themselves are tested where they live
(test_export_formulas in people, tracing, testing, command)."""

import re
from pathlib import Path

import pytest

from epicommand.core.spreadsheets import cell

SRC = Path(__file__).resolve().parents[2] / "src" / "epicommand"


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"],
)
def test_a_formula_start_is_written_as_text(typed):
    assert cell(typed) == "'" + typed


def test_ordinary_text_numbers_and_dates_pass_unchanged():
    assert cell("张伟") == "张伟" and cell("a=b") == "a=b" and cell("") == ""
    assert cell(-3) == -3 and cell(None) is None


def test_no_export_writes_cells_another_way():
    """csv.writer only inside core.spreadsheets; a module that builds a workbook appends
    its rows only through spreadsheets.append."""
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        where = str(path.relative_to(SRC))
        if where != "core/spreadsheets.py" and re.search(r"csv\.(writer|DictWriter)\(", text):
            offenders.append(where)
        if "Workbook(" in text:
            sheets = set(re.findall(r"(\w+) = (?:book\.active|book\.create_sheet\()", text))
            sheets |= set(re.findall(r"def \w+\((\w+)[,)]", text)) & {"sheet"}
            if any(re.search(rf"\b{s}\.append\(", text) for s in sheets):
                offenders.append(where)
    assert offenders == [], "write cells with core.spreadsheets (CsvWriter, append)"
