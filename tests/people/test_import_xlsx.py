"""Offices keep their lists in Excel: a workbook imports like a CSV file."""

from datetime import date

from epicommand.people.models import Person

from .import_files import import_file, person_row, write_xlsx


def test_an_xlsx_workbook_with_date_and_number_cells_imports(tmp_path, city_office):
    rows = [person_row(n) for n in range(50)]

    result = import_file(write_xlsx(tmp_path / "persons.xlsx", rows), city_office)

    assert (result.created, result.errors) == (50, [])
    person = Person.objects.get(id_number=rows[7]["id_number"])
    assert person.birth_date == date.fromisoformat(rows[7]["birth_date"])
    assert person.phone == rows[7]["phone"]  # a number cell, read back as text


def test_an_error_in_a_workbook_names_the_row_excel_shows(tmp_path, city_office):
    rows = [person_row(n) for n in range(5)]
    rows[3]["sex"] = "X"

    result = import_file(write_xlsx(tmp_path / "persons.xlsx", rows), city_office)

    assert [(e.line, e.column) for e in result.errors] == [(5, "sex")]
    assert not Person.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_as_a_whole(tmp_path, city_office):
    path = tmp_path / "persons.xlsx"
    path.write_bytes(b"name,id_number\n")

    result = import_file(path, city_office)

    assert [(e.line, e.message) for e in result.errors] == [(0, "is not a readable XLSX workbook")]
