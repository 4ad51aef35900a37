"""Each role lands on a short page of its own, linking only to pages it can open."""

import pytest

from epicommand.core.models import Role
from tests.conftest import login


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.CITY_OFFICE, "office"),
        (Role.COUNTY_OFFICE, "office"),
        (Role.EPIDEMIOLOGIST, "epidemiologist"),
        (Role.SUPERVISOR, "supervisor"),
        (Role.ADMINISTRATOR, "administrator"),
        (Role.COMMUNITY_WORKER, "general"),
        (Role.LAB_STAFF, "general"),
    ],
)
def test_each_role_gets_its_landing_text(make_user, city, role, kind):
    response = login(make_user("someone", role, city.gaocheng)).get("/")
    assert response.context["kind"] == kind


@pytest.mark.parametrize("role", [r for r, _ in Role.choices])
def test_every_home_link_opens_for_that_role(make_user, city, role):
    client = login(make_user("someone", role, city.gaocheng))
    links = client.get("/").context["links"]
    assert links, "every role has at least the API docs or places"
    for link in links:
        if link.url.startswith("/api/"):
            continue
        assert client.get(link.url).status_code == 200, link.url


def test_the_home_page_shows_the_jurisdiction(gaocheng_epi):
    html = login(gaocheng_epi).get("/").content.decode()
    assert "藁城区" in html and "130109" in html


def test_a_user_without_jurisdiction_is_told_why_they_see_nobody(make_user):
    user = make_user("nobody", Role.EPIDEMIOLOGIST, None)
    response = login(user).get("/")
    assert response.status_code == 200
    assert "notice warn" in response.content.decode()


def test_the_home_page_asks_anonymous_visitors_to_log_in(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
