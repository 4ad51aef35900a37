"""One passport, one person (issue 13, item 10): the same passport of the same country is
refused a second time, through the API, the import and the database itself, so a
foreigner's scans never become ambiguous. Another country may issue the same number."""

import json

import pytest
from django.db import IntegrityError, transaction

from epicommand.people.models import Person
from tests.conftest import login

from .import_files import XGZ, import_file, person_row, write_csv

FOREIGNER = {
    "name": "John Smith",
    "passport_number": "E12345678",
    "nationality": "USA",
    "sex": "M",
    "birth_date": "1980-05-01",
    "region_code": XGZ,
}


def register(user, **changes):
    body = {**FOREIGNER, **changes}
    return login(user).post("/api/v1/persons", json.dumps(body), content_type="application/json")


def test_the_same_passport_of_the_same_country_is_refused_naming_the_field(gaocheng_epi):
    assert register(gaocheng_epi).status_code == 201
    again = register(gaocheng_epi, name="J. Smith", passport_number=" e12345678 ")
    assert again.status_code == 422
    assert [e["field"] for e in again.json()["errors"]] == ["passport_number"]
    assert Person.objects.filter(passport_number="E12345678").count() == 1


def test_another_country_may_issue_the_same_number(gaocheng_epi):
    assert register(gaocheng_epi).status_code == 201
    assert register(gaocheng_epi, name="Jean Dupont", nationality="FRA").status_code == 201


def test_the_database_refuses_a_second_holder_whatever_the_path(gaocheng_epi):
    register(gaocheng_epi)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            name="Copy",
            passport_number="E12345678",
            nationality="USA",
            sex="M",
            birth_date="1980-05-01",
            region_id=XGZ,
        )


def foreigner_row(n: int, passport: str, nationality: str = "USA") -> dict:
    return person_row(n, id_number="", passport_number=passport, nationality=nationality)


def test_a_passport_twice_in_a_file_is_reported_on_the_second_line(tmp_path, city_office):
    rows = [person_row(0), foreigner_row(1, "P1"), person_row(2), foreigner_row(3, "p1")]
    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (5, "passport_number", "the same passport is on line 3")
    ]
    assert not Person.objects.exists()


def test_a_passport_already_registered_is_reported_by_line(tmp_path, city_office):
    Person.objects.create(
        name="John Smith",
        passport_number="E12345678",
        nationality="USA",
        sex="M",
        birth_date="1980-05-01",
        region_id=XGZ,
    )
    rows = [person_row(0), foreigner_row(1, "E12345678"), foreigner_row(2, "E12345678", "FRA")]
    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (
            3,
            "passport_number",
            "a person with this passport of this nationality is already registered",
        )
    ]
    assert Person.objects.count() == 1
