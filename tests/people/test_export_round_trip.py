import io

from epicommand.people.exports import export_persons_csv
from epicommand.people.imports import import_persons


def test_an_exported_file_is_a_valid_import_file(city_office, gaocheng_person, changan_person):
    exported = "".join(export_persons_csv(city_office)).encode()
    result = import_persons(city_office, io.BytesIO(exported), "persons.csv")
    # Every line is refused only because its person is already registered.
    assert result.error_count == 2
    assert {(e.line, e.column) for e in result.errors} == {(2, "id_number"), (3, "id_number")}
    assert all("already registered" in e.message for e in result.errors)
