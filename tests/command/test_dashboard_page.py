"""The dashboard page: the city office sees the city and every county, a county office its
own county; it reads counters only; every figure links to its list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epicommand.core.models import Role
from tests.conftest import login

from .figures_city import generate


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


def figure_links(html: str) -> dict[str, str]:
    found = re.findall(r'<a href="([^"]+)" data-figure="([a-z_]+)">', html)
    return {key: url.replace("&amp;", "&") for url, key in found}


def test_the_city_office_sees_the_city_and_every_county(command_city):
    response = login(command_city.office).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "石家庄市" in html and "藁城区" in html and "长安区" in html
    board = response.context["board"]
    assert [c.region.code for c in board.counties] == ["130102", "130109"]


def test_a_county_office_sees_only_its_own_county(command_city):
    client = login(command_city.gaocheng_office)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.focus.region.code == "130109"
    assert [c.region.code for c in board.counties] == ["130109"]
    assert "长安区" not in response.content.decode()
    assert client.get("/dashboard/?region=130102").status_code == 404
    assert client.get("/dashboard/?region=130100").status_code == 404


def test_the_city_office_can_look_at_one_county(command_city):
    response = login(command_city.office).get("/dashboard/?region=130102")
    assert response.context["board"].focus.region.code == "130102"


def test_the_page_reads_counters_in_a_handful_of_queries(
    command_city, django_assert_max_num_queries
):
    client = login(command_city.office)
    client.get("/dashboard/")  # the session and user are cached after the first request
    # Counters, plus the navigation's three badges (referrals to acknowledge, cases awaiting
    # an epidemiologist, tokens awaiting the office's approval) that every page shows.
    with django_assert_max_num_queries(10):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/dashboard/")
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    for big_table in ("people_person", "command_task", "command_emergencyreport"):
        assert big_table not in tables


def test_every_figure_links_to_the_list_behind_it(command_city):
    html = login(command_city.office).get("/dashboard/").content.decode()
    links = figure_links(html)
    assert links["persons"] == "/persons/?region=130100"
    assert links["tasks_open"].startswith("/tasks/?region=130100")
    assert "status=open" in links["tasks_open"]
    assert "overdue=1" in links["tasks_overdue"]
    assert links["reports_open"].startswith("/reports/?region=130100")
    # Each county's figures link to the county's list too.
    assert 'href="/persons/?region=130109"' in html
    assert 'href="/tasks/?region=130102&amp;overdue=1"' in html


def test_every_panel_shows_figures_now_that_its_module_has_landed(command_city):
    html = login(command_city.office).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert "appears when" not in html
    for figure in (
        "Persons in centralized quarantine",
        "Cases reported today",
        "Cases with onset on the day",
        "Contacts not yet under control",
    ):
        assert figure in html


def test_the_charts_use_the_vendored_echarts(command_city):
    html = login(command_city.office).get("/dashboard/").content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    # Every script and stylesheet comes from our own static files (the page also holds a
    # random CSRF token, which may spell anything, so only the addresses are read).
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert 'id="dashboard-charts"' in html


@pytest.mark.parametrize("role", [Role.EPIDEMIOLOGIST, Role.COMMUNITY_WORKER, Role.ADMINISTRATOR])
def test_roles_without_the_dashboard_are_refused(make_user, city, role):
    user = make_user("someone", role, city.gaocheng)
    assert login(user).get("/dashboard/").status_code == 403


def test_anonymous_users_go_to_the_login_page(db):
    from django.test import Client

    response = Client().get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_jurisdiction_narrower_than_a_county_gets_a_note_not_figures(make_user, city):
    user = make_user("township", Role.COUNTY_OFFICE, city.zengcun)
    response = login(user).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "narrower than a county" in response.content.decode()


def test_the_population_figure_opens_the_persons_of_that_county_only(command_city):
    client = login(command_city.office)
    html = client.get("/dashboard/").content.decode()
    assert 'href="/persons/?region=130102"' in html
    listed = client.get("/persons/?region=130102").context["persons"]
    assert listed and {p.region_id[:6] for p in listed} == {"130102"}
    # A county office asking for another county's persons gets none of them.
    other = login(command_city.gaocheng_office).get("/persons/?region=130102")
    assert other.context["persons"] == []
