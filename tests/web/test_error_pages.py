"""Errors reach users as friendly pages, never as stack traces."""

from django.test import RequestFactory

from epicommand.web.views import server_error
from tests.conftest import login


def test_an_unknown_address_gets_the_friendly_404_page(gaocheng_epi):
    response = login(gaocheng_epi).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "Traceback" not in html


def test_a_404_for_an_anonymous_visitor_renders_too(db, client):
    assert client.get("/no-such-page/").status_code == 404


def test_the_500_page_needs_neither_the_request_nor_the_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>" in response.content.decode()


def test_a_forbidden_page_explains_itself(gaocheng_epi):
    response = login(gaocheng_epi).get("/audit/")
    assert response.status_code == 403
    assert "<h1>" in response.content.decode()


def test_the_health_check_still_answers(db, client):
    assert client.get("/healthz").json() == {"database": "ok"}
