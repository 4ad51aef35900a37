"""Flight manifests in CSV, XLSX and JSON: imported once whatever the retries, persons
matched and coloured, and a bad file refused whole with line, field and reason."""

import io
import json
from datetime import timedelta

import openpyxl
import pytest

from epicommand.control.models import HealthCode
from epicommand.inbound.models import Arrival
from epicommand.inbound.services.manifests import import_manifest

from .world import (  # noqa: F401  fixtures
    flight_fixture,
    make_person,
    port_staff_fixture,
    port_unit_fixture,
)

pytestmark = pytest.mark.django_db
HEADER = (
    "flight_number,date,airline,origin,seat,document,name,nationality,"
    "destination_address,region_code,crew"
)


def _row(day, seat, document, region, *, flight="CA868", crew="no"):
    where = f"{region} 1号,{region}"
    return f"{flight},{day},Air China,Moscow,{seat},{document},旅客{seat},CHN,{where},{crew}"


def _csv(lines) -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode())


def test_a_csv_manifest_is_imported_once_and_its_registered_persons_are_coloured(
    port_staff, flight, city
):
    person = make_person(city.xgz)
    day = flight.arrival_date
    rows = [
        _row(day, "1A", person.id_number, city.xgz.code),
        _row(day, "1B", "E12345678", city.community.code),
        _row(day, "", "C00000001", city.community.code, crew="yes"),
    ]
    result = import_manifest(port_staff, _csv(rows), "ca868.csv")
    assert (result.created, result.matched, result.error_count) == (3, 1, 0)
    assert Arrival.objects.get(document=person.id_number).person == person
    assert HealthCode.objects.get(person=person).colour == "red"
    again = import_manifest(port_staff, _csv(rows), "ca868.csv")
    assert (again.created, again.already) == (0, 3)
    assert Arrival.objects.count() == 3


def test_json_and_xlsx_manifests_say_the_same(port_staff, flight, city):
    day = str(flight.arrival_date)
    item = dict(
        zip(HEADER.split(","), _row(day, "2A", "E22222222", city.xgz.code).split(","), strict=True)
    )
    result = import_manifest(
        port_staff, io.BytesIO(json.dumps({"passengers": [item]}).encode()), "m.json"
    )
    assert result.created == 1
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(_row(day, "2B", "E33333333", city.xgz.code).split(","))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    assert import_manifest(port_staff, data, "m.xlsx").created == 1


@pytest.mark.parametrize(
    ("second", "line", "field", "reason"),
    [
        (lambda d, c: _row(d, "1A", "E2", c), 3, "seat", "twice"),
        (lambda d, c: _row(d, "1B", "E1", c), 3, "document", "twice"),
        (lambda d, c: _row(d, "1B", "E2", c, flight="MU999"), 3, "flight_number", "not registered"),
        (lambda d, c: _row(d + timedelta(days=1), "1B", "E2", c), 3, "date", "future"),
        (lambda d, c: _row(d, "1B", "E2", "999999"), 3, "region_code", "not a region"),
    ],
)
def test_a_bad_manifest_is_refused_whole_with_line_field_and_reason(
    port_staff, flight, city, second, line, field, reason
):
    day = flight.arrival_date
    rows = [_row(day, "1A", "E1", city.xgz.code), second(day, city.xgz.code)]
    result = import_manifest(port_staff, _csv(rows), "bad.csv")
    assert result.error_count == 1
    (error,) = result.errors
    assert (error.line, error.column) == (line, field) and reason in error.message
    assert not Arrival.objects.exists()


def test_a_seat_already_held_by_another_document_is_refused(port_staff, flight, city):
    day = flight.arrival_date
    import_manifest(port_staff, _csv([_row(day, "1A", "E1", city.xgz.code)]), "a.csv")
    result = import_manifest(port_staff, _csv([_row(day, "1A", "E9", city.xgz.code)]), "b.csv")
    assert [(e.line, e.column) for e in result.errors] == [(2, "seat")]


def test_a_file_that_is_not_a_manifest_is_refused(port_staff, flight):
    result = import_manifest(port_staff, io.BytesIO(b"name,age\nx,1\n"), "x.csv")
    assert result.error_count == 1 and "header" in result.errors[0].message
    assert import_manifest(port_staff, io.BytesIO(b"{"), "x.json").error_count == 1
