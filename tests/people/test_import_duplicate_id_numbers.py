"""One person, one ID number: within the file and against the register."""

from epicommand.people import imports
from epicommand.people.models import Person

from .import_files import import_file, person_row, write_csv


def test_an_id_number_twice_in_the_file_is_reported_on_the_second_line_naming_the_first(
    tmp_path, city_office
):
    rows = [person_row(n) for n in range(6)]
    rows[4]["id_number"] = rows[1]["id_number"]
    rows[4]["birth_date"], rows[4]["sex"] = rows[1]["birth_date"], rows[1]["sex"]

    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert [(e.line, e.column) for e in result.errors] == [(6, "id_number")]
    assert result.errors[0].message == "the same ID number is on line 3"
    assert not Person.objects.exists()


def test_an_id_number_already_registered_is_reported_by_line(
    tmp_path, city_office, gaocheng_person
):
    rows = [person_row(n) for n in range(3)]
    rows.append(person_row(3, id_number=gaocheng_person.id_number, birth_date="", sex=""))

    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (5, "id_number", "a person with this ID number is already registered")
    ]
    assert Person.objects.count() == 1


def test_a_registration_that_wins_the_race_after_the_checks_is_reported_by_line(
    tmp_path, city_office, monkeypatch
):
    """Another office registers a person between our checks and our insert: the unique
    index refuses the insert, and the import says which line lost."""
    rows = [person_row(n) for n in range(3)]
    checks = imports._database_errors

    def register_meanwhile(cursor, scope_prefix):
        found = checks(cursor, scope_prefix)
        monkeypatch.setattr(imports, "_database_errors", checks)
        Person.objects.create(
            name="先到者",
            sex=rows[2]["sex"],
            birth_date=rows[2]["birth_date"],
            id_number=rows[2]["id_number"],
            region_id=rows[2]["region_code"],
        )
        return found

    monkeypatch.setattr(imports, "_database_errors", register_meanwhile)
    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert [(e.line, e.column) for e in result.errors] == [(4, "id_number")]
    # Here the rival shares the test's transaction, so the import's rollback takes it too.
    assert not Person.objects.exists()
