"""Every answer carries the Content-Security-Policy: pages, the API, the admin and static
files. Scripts only from our own origin, so no inline script or handler runs."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(
    "path",
    ["/login/", "/admin/login/", "/api/v1/openapi.json", "/api/v1/docs", "/static/web/escape.js"],
)
def test_every_answer_allows_scripts_from_our_own_origin_only(path):
    response = Client().get(path)
    assert response.status_code in (200, 401)
    rules = policy(response)
    assert rules["script-src"] == "'self'"
    assert rules["object-src"] == "'none'" and rules["frame-ancestors"] == "'none'"


def test_a_page_of_a_logged_in_official_carries_it_too(city_office):
    client = Client()
    client.force_login(city_office)
    response = client.get("/clusters/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in policy(response)["script-src"]
