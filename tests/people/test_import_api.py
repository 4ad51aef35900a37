"""POST /api/v1/persons/import: a multipart upload answered with a count or the errors."""

from django.test import Client, override_settings

from epicommand.core.models import AuditEvent
from epicommand.people.models import Person
from tests.conftest import login
from tests.tokens import live_token

from .import_files import person_row, write_csv, write_xlsx

URL = "/api/v1/persons/import"


def _upload(client, path, language="en", **extra):
    with open(path, "rb") as f:
        return client.post(URL, {"file": f}, HTTP_ACCEPT_LANGUAGE=language, **extra)


def test_an_uploaded_csv_file_is_imported(tmp_path, city_office):
    path = write_csv(tmp_path / "persons.csv", [person_row(n) for n in range(40)])

    response = _upload(login(city_office), path)

    assert response.status_code == 201
    assert response.json() == {"created": 40, "households_created": 0}
    assert Person.objects.count() == 40


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_upload_too_large_for_memory_is_read_from_its_temporary_file(tmp_path, city_office):
    path = write_csv(tmp_path / "persons.csv", [person_row(n) for n in range(200)])
    assert path.stat().st_size > 1024

    assert _upload(login(city_office), path).json()["created"] == 200


def test_an_uploaded_xlsx_file_is_imported(tmp_path, city_office):
    path = write_xlsx(tmp_path / "persons.xlsx", [person_row(n) for n in range(3)])

    assert _upload(login(city_office), path).json()["created"] == 3


def test_a_file_with_bad_rows_gets_422_naming_line_and_column(tmp_path, city_office):
    rows = [person_row(n) for n in range(20)]
    rows[15]["phone"] = "call me"
    path = write_csv(tmp_path / "persons.csv", rows)

    response = _upload(login(city_office), path)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "1 errors; nothing was imported"
    assert body["error_count"] == 1
    assert body["errors"] == [
        {
            "field": "line 17: phone",
            "line": 17,
            "column": "phone",
            "message": "is not a phone number",
        }
    ]
    assert not Person.objects.exists()


def test_the_errors_come_in_the_users_language(tmp_path, city_office):
    path = write_csv(tmp_path / "persons.csv", [person_row(0, phone="call me")])

    body = _upload(login(city_office), path, language="zh-hans").json()

    assert body["detail"] == "共 1 处错误；未导入任何数据"


def test_a_user_without_the_import_capability_gets_403(tmp_path, gaocheng_epi):
    path = write_csv(tmp_path / "persons.csv", [person_row(0)])

    response = _upload(login(gaocheng_epi), path)

    assert response.status_code == 403
    assert "person.import" in response.json()["detail"]
    assert not Person.objects.exists()


def test_an_integration_token_may_import_inside_its_region(tmp_path, city, city_office):
    token, secret = live_token(
        name="Gaocheng registry",
        role="county_office",
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    path = write_csv(tmp_path / "persons.csv", [person_row(0)])

    response = _upload(Client(), path, headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 201
    assert AuditEvent.objects.get(action="person.import").actor_token == token


def test_a_request_without_a_file_gets_422_naming_the_field(city_office):
    response = login(city_office).post(URL, {})

    assert response.status_code == 422
    assert "file" in response.json()["errors"][0]["field"]


def test_the_openapi_document_declares_the_import_errors(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]

    assert set(operation["responses"]) >= {"201", "401", "403", "422"}
    assert "multipart/form-data" in operation["requestBody"]["content"]
