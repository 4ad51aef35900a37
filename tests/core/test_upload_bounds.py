"""Uploads are bounded by policy before they are read in full (issue 13, item 12): a
file's size, an XLSX's expanded size (a zip bomb is refused from the sizes its members
declare, without inflating them), the sheet's declared dimension, rows, columns and
cells; each refusal names the limit, the policy setting and, for rows, the line."""

import tracemalloc
import zipfile

import pytest

from epicommand.core import uploads
from epicommand.people.imports import import_persons
from epicommand.people.models import Person
from tests.conftest import login
from tests.people.import_files import person_row, write_csv, write_xlsx

URL = "/api/v1/persons/import"
MB = 1024 * 1024


def upload(client, path):
    with open(path, "rb") as f:
        return client.post(URL, {"file": f}, HTTP_ACCEPT_LANGUAGE="en")


def zip_bomb(tmp_path, expanded_mb: int = 320):
    """A valid workbook whose sheet, padded with blanks, expands to `expanded_mb` MB."""
    small = write_xlsx(tmp_path / "small.xlsx", [person_row(0)])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member)
            if member.filename != "xl/worksheets/sheet1.xml":
                out.writestr(member, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with out.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                blanks = b" " * MB
                for _ in range(expanded_mb):
                    sheet.write(blanks)
                sheet.write(tail)
    return bomb


def test_a_zip_bomb_is_refused_without_using_its_memory(tmp_path, city_office):
    bomb = zip_bomb(tmp_path)
    assert bomb.stat().st_size < 2 * MB  # a small file ...
    with zipfile.ZipFile(bomb) as archive:  # ... that expands to hundreds of MB
        assert sum(m.file_size for m in archive.infolist()) > 300 * MB

    tracemalloc.start()
    try:
        with open(bomb, "rb") as f:
            result = import_persons(city_office, f, "bomb.xlsx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 5 * MB, f"the refusal used {peak / MB:.1f} MB"
    assert result.error_count == 1 and result.created == 0
    error = result.errors[0]
    assert error.line == 0
    assert "expands to 320 MB uncompressed; the limit is 150 MB" in error.message
    assert "xlsx_max_expanded_mb" in error.message


def test_a_zip_bomb_is_refused_over_http_naming_the_limit(tmp_path, city_office):
    answer = upload(login(city_office), zip_bomb(tmp_path, expanded_mb=160))
    assert answer.status_code == 422
    assert "xlsx_max_expanded_mb" in answer.json()["errors"][0]["message"]


def test_a_csv_over_the_size_limit_is_refused_naming_the_limit(
    tmp_path,
    city_office,
    data_rules,
):
    data_rules(upload_max_mb=1, import_inline_kb=4096)
    path = write_csv(tmp_path / "big.csv", [person_row(n) for n in range(14_000)])
    assert path.stat().st_size > 1 * MB
    answer = upload(login(city_office), path)
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["line"] == 0
    assert "the limit is 1 MB (policy upload_max_mb)" in error["message"]
    assert not Person.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_kept_for_the_background(
    tmp_path,
    city_office,
    data_rules,
):
    from epicommand.core.models import FileJob

    data_rules(upload_max_mb=1, import_inline_kb=1)
    path = write_csv(tmp_path / "big.csv", [person_row(n) for n in range(14_000)])
    answer = upload(login(city_office), path)
    assert answer.status_code == 422 and "upload_max_mb" in answer.json()["errors"][0]["message"]
    assert not FileJob.objects.exists()


def test_rows_over_the_limit_are_refused_at_the_line_that_passes_it(
    tmp_path,
    city_office,
    data_rules,
):
    data_rules(upload_max_rows=3)
    path = write_csv(tmp_path / "rows.csv", [person_row(n) for n in range(5)])
    result = import_persons(city_office, open(path, "rb"), "rows.csv")  # noqa: SIM115
    assert [(e.line, e.column) for e in result.errors] == [(5, "")]
    assert "the limit is 3 rows (policy upload_max_rows)" in result.errors[0].message
    assert not Person.objects.exists()  # nothing half-written


def test_an_xlsx_declaring_more_rows_than_the_limit_is_refused_before_its_rows_are_read(
    tmp_path,
    city_office,
    data_rules,
    monkeypatch,
):
    data_rules(upload_max_rows=3)
    path = write_xlsx(tmp_path / "rows.xlsx", [person_row(n) for n in range(10)])
    read = []
    real_bounded = uploads.bounded

    def counting(table):
        for item in real_bounded(table):
            read.append(item)
            yield item

    monkeypatch.setattr(uploads, "bounded", counting)
    result = import_persons(city_office, open(path, "rb"), "rows.xlsx")  # noqa: SIM115
    assert result.errors[0].line == 0
    assert "the file has 10 rows or more; the limit is 3 rows" in result.errors[0].message
    assert read == []  # refused from the sheet's declared dimension


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_columns_and_cells_over_the_limits_are_refused(
    tmp_path,
    city_office,
    data_rules,
    suffix,
):
    data_rules(upload_max_columns=10)
    header = (*person_row(0), "extra")
    rows = [person_row(0), {**person_row(1), "extra": "x"}]
    write = write_csv if suffix == "csv" else write_xlsx
    path = write(tmp_path / f"wide.{suffix}", rows, header=header)
    result = import_persons(city_office, open(path, "rb"), f"wide.{suffix}")  # noqa: SIM115
    if suffix == "xlsx":  # the sheet declares 11 columns: refused before any row is read
        assert result.errors[0].line == 0
    else:
        assert result.errors[0].line == 1  # the header already has 11
    assert "the limit is 10 columns (policy upload_max_columns)" in result.errors[0].message

    data_rules(upload_max_columns=60, upload_max_cells=25)
    path = write(tmp_path / f"cells.{suffix}", [person_row(n) for n in range(5)])
    result = import_persons(city_office, open(path, "rb"), f"cells.{suffix}")  # noqa: SIM115
    assert result.errors[0].line == 3  # 10 cells a line: the third passes 25
    assert "more than 25 cells (policy upload_max_cells)" in result.errors[0].message
