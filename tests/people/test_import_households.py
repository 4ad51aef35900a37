"""The household column joins persons to their household, registering new numbers."""

from epicommand.people.models import Household, Person

from .import_files import import_file, person_row, write_csv


def test_a_known_household_number_joins_the_existing_household(
    tmp_path, city_office, gaocheng_person
):
    code = gaocheng_person.household.code

    result = import_file(
        write_csv(tmp_path / "persons.csv", [person_row(0, household=code)]), city_office
    )

    assert (result.created, result.households_created) == (1, 0)
    assert Person.objects.get(name="居民0").household == gaocheng_person.household


def test_a_new_household_number_is_registered_at_the_first_members_region_and_address(
    tmp_path, city_office, city
):
    rows = [
        person_row(0, household="H-NEW-1", address="幸福路 1 号"),
        person_row(1, household="H-NEW-1", address="幸福路 1 号 东屋"),
        person_row(2),
    ]

    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert (result.created, result.households_created) == (3, 1)
    household = Household.objects.get(code="H-NEW-1")
    assert (household.region, household.address) == (city.xgz, "幸福路 1 号")
    assert sorted(household.members.values_list("name", flat=True)) == ["居民0", "居民1"]
    assert Person.objects.get(name="居民2").household is None


def test_a_household_number_longer_than_the_register_allows_is_refused(tmp_path, city_office):
    rows = [person_row(0, household="H" * 21)]

    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert [(e.line, e.column) for e in result.errors] == [(2, "household")]
