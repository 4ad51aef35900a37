"""An employer's roster from CSV or XLSX: all or nothing; invalid ID numbers, unknown
groups, unregistered persons and repeated lines are refused naming line and column; a
unit of another county is out of reach."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from epicommand.core.models import AuditEvent
from epicommand.vaccination.models import Coverage, RosterEntry
from epicommand.vaccination.services import rosters

from .conftest import make_person

pytestmark = pytest.mark.django_db


def csv_file(lines):
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def test_a_roster_tags_staff_with_their_group(world, city):
    a, b = make_person(city.xgz, 1), make_person(city.community, 2)
    result = rosters.import_roster(
        world.officer,
        world.police,
        csv_file(
            [
                "id_number,group,job",
                f"{a.id_number},police_fire_community,民警",
                f"{b.id_number},police_fire_community,",
            ]
        ),
        "staff.csv",
    )
    assert result.error_count == 0 and result.created == 2
    assert set(RosterEntry.objects.values_list("person_id", flat=True)) == {a.pk, b.pk}
    tally = Coverage.objects.get(unit_key=world.police.pk, group="police_fire_community")
    assert tally.rostered == 2
    assert AuditEvent.objects.filter(action="vaccination.roster.import").exists()


def test_a_second_upload_updates_the_group(world, city):
    a = make_person(city.xgz, 1)
    rosters.import_roster(
        world.officer,
        world.police,
        csv_file(["id_number,group", f"{a.id_number},government"]),
        "a.csv",
    )
    result = rosters.import_roster(
        world.officer,
        world.police,
        csv_file(["id_number,group", f"{a.id_number},logistics"]),
        "b.csv",
    )
    assert result.created == 0
    assert RosterEntry.objects.get(person=a).group == "logistics"
    assert Coverage.objects.get(unit_key=world.police.pk, group="government").rostered == 0
    assert Coverage.objects.get(unit_key=world.police.pk, group="logistics").rostered == 1


def test_bad_lines_are_named_and_nothing_is_written(world, city):
    a = make_person(city.xgz, 1)
    result = rosters.import_roster(
        world.officer,
        world.police,
        csv_file(
            [
                "id_number,group",
                f"{a.id_number},police_fire_community",
                "130109198001010011,police_fire_community",  # wrong check digit
                f"{a.id_number[:-1]}{'1' if a.id_number[-1] != '1' else '2'},astronauts",
                "130109198505050016,medical",  # valid but nobody holds it
                f"{a.id_number},medical",  # twice
            ]
        ),
        "staff.csv",
    )
    found = {(e.line, e.column) for e in result.errors}
    assert (3, "id_number") in found
    assert (4, "group") in found
    assert (6, "id_number") in found
    assert result.error_count >= 4
    assert not RosterEntry.objects.exists() and not Coverage.objects.exists()


def test_a_missing_column_is_refused(world):
    result = rosters.import_roster(
        world.officer, world.police, csv_file(["id_number,team", "x,y"]), "staff.csv"
    )
    assert result.errors[0].line == 1 and "group" in result.errors[0].message


def test_an_xlsx_roster_is_read(world, city):
    a = make_person(city.xgz, 1)
    book = openpyxl.Workbook()
    book.active.append(["id_number", "group"])
    book.active.append([a.id_number, "medical"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    result = rosters.import_roster(world.officer, world.police, data, "staff.xlsx")
    assert result.created == 1 and RosterEntry.objects.get().group == "medical"


def test_an_other_file_type_is_refused(world):
    result = rosters.import_roster(world.officer, world.police, io.BytesIO(b"x"), "staff.pdf")
    assert result.error_count == 1 and not RosterEntry.objects.exists()


def test_another_countys_unit_is_out_of_reach(world):
    with pytest.raises(PermissionDenied):
        rosters.import_roster(
            world.officer, world.changan_police, csv_file(["id_number,group"]), "s.csv"
        )
    with pytest.raises(PermissionDenied):
        rosters.employer_of(world.officer, world.changan_police.pk)
    assert rosters.employer_of(world.officer) == world.police
