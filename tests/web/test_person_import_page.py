"""The import page uploads a CSV or XLSX file and shows either the count or every error."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from epicommand.people.models import Person
from tests.conftest import login

HEADER = "name,id_number,phone,region_code,address\n"
GOOD = (
    "王芳,130109199203040022,13600000001,130109104201,小果庄村 5 号\n"
    "刘洋,130109198812120015,13600000002,130109104201,小果庄村 6 号\n"
)


def _upload(client, name: str, content: bytes):
    return client.post("/persons/import/", {"file": SimpleUploadedFile(name, content)})


def test_a_good_csv_imports_every_person(gaocheng_office):
    response = _upload(login(gaocheng_office), "persons.csv", (HEADER + GOOD).encode())
    assert response.status_code == 200
    assert response.context["result"].created == 2
    assert Person.objects.count() == 2
    assert 'role="status"' in response.content.decode()


def test_a_good_xlsx_imports_every_person(gaocheng_office):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "id_number", "region_code"])
    sheet.append(["王芳", "130109199203040022", "130109104201"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(login(gaocheng_office), "persons.xlsx", buffer.getvalue())
    assert response.context["result"].created == 1


def test_bad_rows_are_listed_by_line_and_column_and_nothing_is_imported(gaocheng_office):
    bad = GOOD + "赵六,130109199203040028,13600000003,130109104201,\n"
    response = _upload(login(gaocheng_office), "persons.csv", (HEADER + bad).encode())
    result = response.context["result"]
    assert result.created == 0
    assert [(e.line, e.column) for e in result.errors] == [(4, "id_number")]
    html = response.content.decode()
    assert "<td>4</td>" in html and "id_number" in html
    assert not Person.objects.exists()


def test_a_row_outside_the_jurisdiction_is_an_error(gaocheng_office):
    row = "李四,130102199211030014,,130102001001,\n"
    response = _upload(login(gaocheng_office), "persons.csv", (HEADER + row).encode())
    assert [e.column for e in response.context["result"].errors] == ["region_code"]


def test_a_file_of_another_type_is_refused_on_the_form(gaocheng_office):
    response = _upload(login(gaocheng_office), "persons.txt", b"name\n")
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_roles_without_person_import_get_403(gaocheng_epi):
    client = login(gaocheng_epi)
    assert client.get("/persons/import/").status_code == 403
    assert _upload(client, "persons.csv", (HEADER + GOOD).encode()).status_code == 403
    assert not Person.objects.exists()
