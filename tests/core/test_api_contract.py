from django.test import Client

from tests.conftest import login


def test_the_openapi_document_is_3_1_and_declares_errors_on_every_route(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403", "422"} <= declared, (method, path, declared)


def test_the_interactive_docs_are_served_without_a_cdn(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_a_malformed_body_is_refused_naming_the_field(city_office):
    response = login(city_office).post(
        "/api/v1/persons", {"name": "王芳"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert {"field": "region_code", "message": "Field required"} in response.json()["errors"]


def test_a_wrong_id_number_is_refused_with_its_reason_in_the_callers_language(city_office, city):
    body = {"name": "王芳", "id_number": "130109199001011224", "region_code": city.xgz.code}
    client = login(city_office)
    english = client.post(
        "/api/v1/persons", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 422
    assert english.json()["errors"] == [
        {"field": "id_number", "message": "check digit does not match"}
    ]
    chinese = client.post("/api/v1/persons", body, content_type="application/json")
    assert chinese.json()["errors"] == [{"field": "id_number", "message": "校验码不符"}]


def test_a_foreigner_is_registered_by_passport_and_nationality(city_office, city):
    response = login(city_office).post(
        "/api/v1/persons",
        {
            "name": "John Smith",
            "passport_number": "k1234567",
            "nationality": "gbr",
            "sex": "M",
            "birth_date": "1975-02-01",
            "region_code": city.community.code,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["passport_number"], response.json()["nationality"]) == (
        "K1234567",
        "GBR",
    )


def test_birth_date_and_sex_must_agree_with_the_id_number(city_office, city):
    response = login(city_office).post(
        "/api/v1/persons",
        {
            "name": "王芳",
            "id_number": "130109199001011223",
            "sex": "M",
            "birth_date": "1990-01-02",
            "region_code": city.xgz.code,
        },
        content_type="application/json",
    )
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"sex", "birth_date"}


def test_healthz_reports_the_database(db):
    response = Client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"database": "ok"})


def test_regions_are_listed_by_parent(city_office, city):
    client = login(city_office)
    assert [r["code"] for r in client.get("/api/v1/regions").json()] == ["130100"]
    children = client.get("/api/v1/regions", {"parent": "130100"}).json()
    assert [r["code"] for r in children] == ["130102", "130109"]


def test_a_nul_character_is_refused_at_the_door_naming_the_parameter(city_office):
    client = login(city_office)
    response = client.get("/api/v1/persons", {"q": "王\x00"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "q", "message": "contains a NUL character"}]
    body = client.post("/api/v1/persons", '{"name": "a\\u0000b"}', content_type="application/json")
    assert (body.status_code, body.json()["errors"][0]["field"]) == (400, "body")


def test_a_region_filter_that_is_not_a_code_is_refused(city_office):
    response = login(city_office).get("/api/v1/persons", {"region": "6462273744312214.0"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "region"


def test_an_unparseable_body_is_refused_naming_the_body(city_office):
    response = login(city_office).post(
        "/api/v1/persons", b"\xff\xfe{", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
