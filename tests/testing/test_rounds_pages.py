"""Round and site pages: setting up, the round's page with its figures, drill-down,
pooling and assignments, the XLSX report, the not-yet-sampled list (audited), the site
pages, and the resident's own page; scoped: another district's round or site is 404."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from epicommand.core.models import AuditEvent, Role
from epicommand.testing.models import Round, SamplingSite, SiteAssignment
from epicommand.testing.services import sites
from tests.conftest import login

from .rounds_world import (  # noqa: F401  fixtures
    changan_office_fixture,
    gaocheng_office_fixture,
    make_site,
    new_round,
    residents,
    result,
    sample,
    villages_fixture,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(name="gaocheng_round")
def gaocheng_round_fixture(gaocheng_office, villages):
    people = residents(villages.xgz, 30)
    residents(villages.liucun, 10)
    found = new_round(gaocheng_office, ["130109"])
    pools = sample(found, people[:20])
    result(pools[0].tube, "negative")
    found.people = people
    return found


def test_an_office_sets_a_round_up_from_the_form(gaocheng_office, villages):
    residents(villages.xgz, 4)
    client = login(gaocheng_office)
    assert client.get("/testing/rounds/new/").status_code == 200
    start = timezone.localtime() + timedelta(hours=1)
    response = client.post(
        "/testing/rounds/new/",
        {
            "name": "第二轮",
            "region_codes": "130109104, 130109105",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    made = Round.objects.get()
    assert response.status_code == 302 and response.url == f"/testing/rounds/{made.pk}/"
    assert sorted(made.regions.values_list("code", flat=True)) == ["130109104", "130109105"]


def test_the_round_form_shows_every_mistake(gaocheng_office, villages):
    client = login(gaocheng_office)
    start = timezone.localtime()
    response = client.post(
        "/testing/rounds/new/",
        {
            "name": "x",
            "region_codes": "130109 130102",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
        **EN,
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "region_codes[1]: is outside your jurisdiction" in text
    assert "must be after the start" in text
    assert not Round.objects.exists()


def test_the_round_page_shows_figures_chart_pooling_and_drills_down(
    gaocheng_round, gaocheng_office
):
    client = login(gaocheng_office)
    url = f"/testing/rounds/{gaocheng_round.pk}/"
    page = client.get(url, **EN)
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store, private"
    assert 'data-figure="target">40<' in text and 'data-figure="sampled">20<' in text
    assert 'href="?region=130109104"' in text and "round-chart-data" in text
    assert "Pooling" in text and "10:1" in text
    village = client.get(f"{url}?region=130109104201", **EN).content.decode()
    assert 'data-figure="not_sampled">10<' in village and 'href="?region=130109104"' in village
    part = client.get(f"{url}?region=130109&part=figures", HTTP_HX_REQUEST="true", **EN)
    assert "<html" not in part.content.decode() and "round-total" in part.content.decode()
    assert client.get(f"{url}?region=130102").status_code == 404


def test_another_districts_round_and_site_are_404_on_every_page(
    gaocheng_round, gaocheng_office, changan_office, villages
):
    site = make_site(gaocheng_office, villages.xgz, "增村", 38.105, 114.81)
    client = login(changan_office)
    base = f"/testing/rounds/{gaocheng_round.pk}"
    for response in (
        client.get(f"{base}/"),
        client.get(f"{base}/report.xlsx"),
        client.get(f"{base}/unsampled/?region=130109104201"),
        client.post(f"{base}/open/"),
        client.post(f"{base}/close/"),
        client.post(f"{base}/assign/"),
        client.get(f"/testing/sites/{site.pk}/edit/"),
    ):
        assert response.status_code == 404, response.request["PATH_INFO"]
    listed = client.get("/testing/rounds/", **EN).content.decode()
    assert gaocheng_round.name not in listed
    assert "增村" not in client.get("/testing/sites/").content.decode()


def test_the_xlsx_report_downloads_and_is_audited(gaocheng_round, gaocheng_office):
    client = login(gaocheng_office)
    response = client.get(f"/testing/rounds/{gaocheng_round.pk}/report.xlsx?region=130109", **EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    villages = {r[0]: r for r in book["Villages"].iter_rows(min_row=2, values_only=True)}
    assert villages["130109104201"][2:5] == (30, 20, 10)
    event = AuditEvent.objects.get(action="testing_round.report_export")
    assert event.region_id == "130109"


def test_the_unsampled_list_picks_a_village_then_lists_masked_and_audited(
    gaocheng_round, gaocheng_office
):
    client = login(gaocheng_office)
    url = f"/testing/rounds/{gaocheng_round.pk}/unsampled/"
    town = client.get(f"{url}?region=130109104", **EN).content.decode()
    assert "?region=130109104201" in town
    assert not AuditEvent.objects.filter(action="testing_round.unsampled_view").exists()
    village = client.get(f"{url}?region=130109104201", **EN).content.decode()
    unsampled = gaocheng_round.people[20:]
    assert unsampled[0].name in village and unsampled[0].id_number not in village
    assert unsampled[0].phone not in village and gaocheng_round.people[0].name not in village
    assert AuditEvent.objects.filter(action="testing_round.unsampled_view").count() == 1


def test_the_office_opens_assigns_and_closes_from_the_page(
    gaocheng_round, gaocheng_office, villages
):
    make_site(gaocheng_office, villages.xgz, "增村", 38.105, 114.81, opens=0, closes=23)
    client = login(gaocheng_office)
    base = f"/testing/rounds/{gaocheng_round.pk}"
    report = client.post(f"{base}/assign/", **EN)
    assert report.status_code == 200
    text = report.content.decode()
    assert "2 communities with 40 residents have a site" in text
    assert SiteAssignment.objects.filter(round=gaocheng_round).count() == 2
    assert client.post(f"{base}/open/").status_code == 302
    assert client.post(f"{base}/close/").status_code == 302
    gaocheng_round.refresh_from_db()
    assert gaocheng_round.status == Round.Status.CLOSED
    refused = client.post(f"{base}/open/", follow=True, **EN)
    assert "only a Planned round can be opened" in refused.content.decode()


def test_site_pages_set_up_and_change_a_site(gaocheng_office, make_user, city, villages):
    client = login(gaocheng_office)
    form = {
        "name": "增村采样点",
        "region_id": "130109104",
        "address": "增村镇政府",
        "latitude": "38.1",
        "longitude": "114.8",
        "tables": "4",
        "opens_at": "08:00",
        "closes_at": "20:00",
        "per_table_hour": "60",
        "is_active": "on",
    }
    assert client.post("/testing/sites/new/", form).status_code == 302
    site = SamplingSite.objects.get()
    bad = client.post(f"/testing/sites/{site.pk}/edit/", {**form, "closes_at": "07:00"}, **EN)
    assert bad.status_code == 400 and "must be after the opening time" in bad.content.decode()
    assert (
        client.post(f"/testing/sites/{site.pk}/edit/", {**form, "tables": "9"}).status_code == 302
    )
    site.refresh_from_db()
    assert site.tables == 9
    assert "增村采样点" in client.get("/testing/sites/").content.decode()
    sampler = login(make_user("s", Role.SAMPLING_STAFF, city.gaocheng))
    assert sampler.get("/testing/sites/").status_code == 200
    assert sampler.get("/testing/sites/new/").status_code == 403


def test_a_resident_sees_their_site_slot_and_own_results_only(
    gaocheng_round, gaocheng_office, villages
):
    make_site(gaocheng_office, villages.xgz, "增村采样点", 38.105, 114.81, opens=0, closes=23)
    sites.assign_communities(gaocheng_office, gaocheng_round)
    me, neighbour = gaocheng_round.people[0], gaocheng_round.people[1]
    client = Client(**EN)
    assert client.get("/testing/me/").status_code == 302  # identify first
    identified = client.post(
        "/code/identify/", {"document": me.id_number, "phone": me.phone, "next": "/testing/me/"}
    )
    assert identified.status_code == 302 and identified.url == "/testing/me/"
    page = client.get("/testing/me/")
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store, private"
    assert "增村采样点" in text and "小果庄村增村采样点" in text  # the site and its address
    assignment = SiteAssignment.objects.get(region=villages.xgz)
    assert timezone.localtime(assignment.slot_start).strftime("%m-%d %H:%M") in text
    assert "Negative" in text  # their pool was resulted negative
    assert me.name not in text and neighbour.name not in text  # name masked, nobody else
