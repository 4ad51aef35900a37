"""The header names the columns; a file the import cannot read is refused as a whole."""

from epicommand.people.imports import COLUMNS
from epicommand.people.models import Person

from .import_files import import_file, person_row, write_csv


def test_a_missing_required_column_is_one_error_on_the_header(tmp_path, city_office):
    header = [c for c in COLUMNS if c != "region_code"]
    path = write_csv(tmp_path / "persons.csv", [person_row(n) for n in range(3)], header)

    result = import_file(path, city_office)

    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.line, error.column) == (1, "region_code")
    assert error.message.startswith("missing column region_code;")
    assert not Person.objects.exists()


def test_an_unknown_column_is_refused_rather_than_silently_dropped(tmp_path, city_office):
    header = [*COLUMNS[:-1], "adress"]

    result = import_file(write_csv(tmp_path / "persons.csv", [person_row(0)], header), city_office)

    assert [(e.line, e.column) for e in result.errors] == [(1, "adress")]
    assert "unknown column adress" in result.errors[0].message


def test_a_file_without_id_number_or_passport_columns_is_refused(tmp_path, city_office):
    header = ("name", "sex", "birth_date", "region_code")

    result = import_file(write_csv(tmp_path / "persons.csv", [person_row(0)], header), city_office)

    assert [(e.line, e.column) for e in result.errors] == [(1, "id_number or passport_number")]


def test_columns_may_come_in_any_order_and_case_and_optional_ones_may_be_left_out(
    tmp_path, city_office
):
    path = tmp_path / "persons.csv"
    row = person_row(0)
    path.write_text(
        f"Region_Code, ID_Number ,NAME\n{row['region_code']},{row['id_number']},{row['name']}\n\n",
        encoding="utf-8",
    )

    result = import_file(path, city_office)

    assert (result.created, result.errors) == (1, [])
    person = Person.objects.get()
    assert (person.sex, person.birth_date.isoformat()) == (row["sex"], row["birth_date"])


def test_a_csv_file_saved_by_excel_with_a_byte_order_mark_imports(tmp_path, city_office):
    path = write_csv(tmp_path / "persons.csv", [person_row(0)], bom=True)

    assert import_file(path, city_office).created == 1


def test_a_csv_file_that_is_not_utf8_names_the_line_it_stops_at(tmp_path, city_office):
    path = tmp_path / "persons.csv"
    row = person_row(0)
    path.write_bytes(
        ",".join(COLUMNS).encode() + b"\n" + ",".join(row.values()).encode("gb18030") + b"\n"
    )

    result = import_file(path, city_office)

    assert [(e.line, e.column) for e in result.errors] == [(2, "")]
    assert "UTF-8" in result.errors[0].message


def test_a_file_of_another_type_is_refused(tmp_path, city_office):
    path = tmp_path / "persons.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")

    result = import_file(path, city_office)

    assert result.errors[0].line == 0 and ".csv or .xlsx" in result.errors[0].message


def test_a_file_with_only_a_header_is_refused(tmp_path, city_office):
    result = import_file(write_csv(tmp_path / "persons.csv", []), city_office)

    assert result.errors[0].message == "the file has no persons below the header"
