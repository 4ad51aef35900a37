"""Daily summary pages: a county office sees its own county's summaries only and gets 404
for another county's page and downloads; the city office sees them all."""

import pytest
from django.utils import timezone

from epicommand.command.models import DailySummary
from epicommand.command.services.summaries import generate_daily_summaries
from epicommand.core.models import Role
from tests.conftest import login

from .figures_city import generate


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


@pytest.fixture
def summaries(command_city):
    return {s.region_id: s for s in generate_daily_summaries(timezone.localdate())}


def listed(response) -> set[str]:
    return {s.region_id for _day, rows in response.context["days"] for s in rows}


def test_the_city_office_lists_the_city_and_every_county(command_city, summaries):
    response = login(command_city.office).get("/summaries/")
    assert response.status_code == 200
    assert listed(response) == {"130100", "130109", "130102"}


def test_a_county_office_lists_its_own_county_only(command_city, summaries):
    response = login(command_city.gaocheng_office).get("/summaries/")
    assert listed(response) == {"130109"}
    assert "长安区" not in response.content.decode()


@pytest.mark.parametrize("suffix", ["", "summary.xlsx", "summary.pdf"])
def test_another_countys_summary_is_not_found(command_city, summaries, suffix):
    client = login(command_city.gaocheng_office)
    for region in ("130102", "130100"):
        assert client.get(f"/summaries/{summaries[region].pk}/{suffix}").status_code == 404
    assert client.get(f"/summaries/{summaries['130109'].pk}/{suffix}").status_code == 200


def test_the_detail_page_shows_the_figures_and_the_overdue_tasks(command_city, summaries):
    response = login(command_city.office).get(
        f"/summaries/{summaries['130100'].pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert 'data-figure="tasks_overdue">2<' in html
    assert "市卫生健康委员会" in html and "长安区疫情防控指挥部办公室" in html


def test_the_list_pages_by_day(command_city, city):
    today = timezone.localdate()
    for days_ago in (0, 20):
        DailySummary.objects.create(
            region=city.gaocheng, day=today - timezone.timedelta(days=days_ago), figures={}
        )
    client = login(command_city.gaocheng_office)
    first = client.get("/summaries/")
    assert [day for day, _rows in first.context["days"]] == [today]
    older = first.context["older"]
    second = client.get(f"/summaries/?before={older}")
    assert [day for day, _rows in second.context["days"]] == [today - timezone.timedelta(days=20)]


def test_a_county_office_generates_its_own_countys_summary_now(command_city):
    client = login(command_city.gaocheng_office)
    response = client.post("/summaries/generate/")
    summary = DailySummary.objects.get()
    assert summary.region_id == "130109" and summary.day == timezone.localdate()
    assert response["Location"] == f"/summaries/{summary.pk}/"
    assert client.post("/summaries/generate/", {"region": "130102"}).status_code == 404


def test_a_supervisor_reads_summaries_but_does_not_generate_them(supervisor, summaries):
    client = login(supervisor)
    assert client.get(f"/summaries/{summaries['130102'].pk}/").status_code == 200
    assert client.post("/summaries/generate/").status_code == 403


@pytest.mark.parametrize("role", [Role.EPIDEMIOLOGIST, Role.DEPARTMENT_OFFICER])
def test_roles_without_the_dashboard_cannot_read_summaries(make_user, city, summaries, role):
    client = login(make_user("someone", role, city.sjz))
    assert client.get("/summaries/").status_code == 403
    assert client.get(f"/summaries/{summaries['130100'].pk}/summary.pdf").status_code == 403
