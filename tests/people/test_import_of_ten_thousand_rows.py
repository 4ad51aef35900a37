"""A whole file is validated before anything is written (DESIGN rule 5)."""

from epicommand.people.imports import RowError
from epicommand.people.models import Person

from .import_files import import_file, person_row, write_csv

# Lines of the file (the header is line 1, so row n sits on line n + 2).
BAD_CHECK_DIGIT, IMPOSSIBLE_DATE, UNKNOWN_REGION = 1235, 4001, 9876


def _rows(broken: bool):
    for n in range(10_000):
        row = person_row(n)
        if broken and n + 2 == BAD_CHECK_DIGIT:
            last = row["id_number"][-1]
            row["id_number"] = row["id_number"][:-1] + ("1" if last == "0" else "0")
        if broken and n + 2 == IMPOSSIBLE_DATE:
            row["birth_date"] = "2001-02-29"
        if broken and n + 2 == UNKNOWN_REGION:
            row["region_code"] = "130109999999"
        yield row


def test_a_file_with_three_bad_rows_imports_nothing_and_names_each_line_and_column(
    tmp_path, city_office
):
    result = import_file(write_csv(tmp_path / "persons.csv", _rows(broken=True)), city_office)

    assert result.created == 0
    assert [(e.line, e.column) for e in result.errors] == [
        (BAD_CHECK_DIGIT, "id_number"),
        (IMPOSSIBLE_DATE, "birth_date"),
        (UNKNOWN_REGION, "region_code"),
    ]
    assert result.error_count == 3
    assert result.errors[0].message == "check digit does not match"
    assert "130109999999" in result.errors[2].message
    assert not Person.objects.exists()


def test_the_corrected_file_imports_all_ten_thousand_persons(tmp_path, city_office):
    result = import_file(write_csv(tmp_path / "persons.csv", _rows(broken=False)), city_office)

    assert result.errors == [] and result.created == 10_000
    assert Person.objects.count() == 10_000
    first = Person.objects.order_by("id").first()
    assert (first.name, first.id_number) == ("居民0", person_row(0)["id_number"])


def test_errors_are_listed_up_to_a_thousand_with_the_total(tmp_path, city_office):
    rows = [person_row(n, region_code="130109999999") for n in range(1200)]

    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert result.error_count == 1200 and len(result.errors) == 1000
    assert result.errors[-1] == RowError(1001, "region_code", result.errors[-1].message)
    assert "1200" in result.summary
