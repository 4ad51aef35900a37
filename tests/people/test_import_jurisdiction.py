"""An office imports persons of its own jurisdiction only (DESIGN rule 1)."""

from epicommand.people.models import Household, Person

from .import_files import JIANBEI, import_file, person_row, write_csv


def test_a_county_office_cannot_import_a_person_of_another_county(tmp_path, gaocheng_office):
    rows = [person_row(0), person_row(1, region_code=JIANBEI)]

    result = import_file(write_csv(tmp_path / "persons.csv", rows), gaocheng_office)

    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, "region_code", f"{JIANBEI} is outside your jurisdiction")
    ]
    assert not Person.objects.exists()


def test_a_county_office_imports_persons_of_its_own_county(tmp_path, gaocheng_office):
    result = import_file(write_csv(tmp_path / "persons.csv", [person_row(0)]), gaocheng_office)

    assert (result.created, result.errors) == (1, [])


def test_a_person_cannot_join_a_household_of_another_county(tmp_path, gaocheng_office, city):
    Household.objects.create(code="H-CHANGAN-1", region=city.community, address="建北社区 1 栋")
    rows = [person_row(0, household="H-CHANGAN-1")]

    result = import_file(write_csv(tmp_path / "persons.csv", rows), gaocheng_office)

    assert [(e.line, e.column) for e in result.errors] == [(2, "household")]
    assert not Person.objects.exists()
