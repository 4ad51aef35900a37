"""The API answers in JSON even where no route matched: a non-integer id on a route that
takes an integer, an unknown address under /api/v1/, and a server error, in the API's
one error shape ({"detail", "errors"}); pages keep their HTML error pages."""

import json

import pytest
from django.test import RequestFactory

from epicommand.web.views import server_error
from tests.conftest import login


@pytest.mark.parametrize(
    "path", ["/api/v1/clusters/abc", "/api/v1/clusters/1.5/graph", "/api/v1/no-such-thing"]
)
def test_an_address_no_api_route_matches_is_a_json_404(gaocheng_epi, path):
    response = login(gaocheng_epi).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "not found", "errors": []}


def test_a_page_address_still_gets_the_html_404(gaocheng_epi):
    response = login(gaocheng_epi).get("/clusters/abc/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_server_error_on_the_api_is_answered_in_json():
    response = server_error(RequestFactory().post("/api/v1/cases/1/transfer"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"detail": "server error", "errors": []}
