"""The risk-area pages: the public list (no login, no personal data), the staff list where a
command office confirms or dismisses proposals, the designation form, the map's GeoJSON at
every level, and the colour distribution per district, equal to a direct count."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epicommand.control.models import Colour, HealthCode, RiskArea
from epicommand.control.services import healthcode, risk
from epicommand.core import followups
from epicommand.core.models import FollowUp, Role
from epicommand.core.recount import recount
from epicommand.people.models import Person
from epicommand.simulation import boundaries
from tests.conftest import login
from tests.followups import committed

from .risk_setup import cases, persons, scan, venue

S = RiskArea.Status


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


@pytest.fixture
def zengcun_high(gaocheng_office, city):
    return risk.designate(
        gaocheng_office,
        level="high",
        regions=["130109104"],
        reason="张伟 13812345678 确诊，住小果庄村 12 号",
        confirm=True,
    )


# The public page ------------------------------------------------------------------------------


def test_the_public_page_lists_the_areas_in_force_without_login_or_personal_data(
    client, city, gaocheng_person, zengcun_high
):
    scan(gaocheng_person, venue(city.xgz), timezone.now() - timedelta(hours=1))
    risk.designate(
        zengcun_high.confirmed_by,
        level="medium",
        regions=[city.xgz.code],
        reason="proposed only",
    )
    response = client.get("/risk-areas/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "藁城区 增村镇" in page  # the regions' names
    assert timezone.localtime(zengcun_high.in_force_from).strftime("%Y-%m-%d %H:%M") in page
    assert "Everywhere else is low risk." in page
    # The reason names a person: not on the public page; nor the proposal, nor who confirmed.
    for private in ("张伟", "13812345678", "12 号", "proposed only", "gaocheng_office"):
        assert private not in page


def test_the_public_page_lists_the_changes_of_the_last_30_days(client, gaocheng_office, city):
    old = risk.designate(
        gaocheng_office,
        level="medium",
        regions=[city.xgz.code],
        reason="x",
        confirm=True,
        now=timezone.now() - timedelta(days=40),
    )
    with committed():
        risk.lift(gaocheng_office, old, now=timezone.now() - timedelta(days=2))
    page = client.get("/risk-areas/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "lifted" in page
    assert page.count("小果庄村") == 1  # the lift, not the designation 40 days ago


# The staff list --------------------------------------------------------------------------------


def test_a_county_office_confirms_a_proposal_from_the_list(gaocheng_office, city):
    cases(city.xgz, timezone.now() - timedelta(days=1), count=2)
    client = login(gaocheng_office)
    # The reasons are stored in the language of the request that proposed them.
    response = client.post("/risk/check-rule/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    area = RiskArea.objects.get(status=S.PROPOSED)
    page = client.get("/risk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 new cases in the last 14 days" in page
    assert f"/risk/{area.pk}/confirm/" in page
    with committed():
        response = client.post(f"/risk/{area.pk}/confirm/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.status, area.confirmed_by) == (S.IN_FORCE, gaocheng_office)
    followed = client.get("/risk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is in force" in followed


def row_of(page: str, area: RiskArea) -> str:
    start = page.index(f'data-area="{area.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_codes_are_said_to_be_queued_and_the_list_shows_how_far_they_are(
    gaocheng_office, city, database_tasks
):
    residents = persons(city.xgz, 3)
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    client = login(gaocheng_office)
    with committed():
        confirmed = client.post(
            f"/risk/{area.pk}/confirm/", HTTP_ACCEPT_LANGUAGE="en", follow=True
        ).content.decode()
    assert "3 residents and 0 visitors given the area&#x27;s level; health codes of 3 persons " in (
        confirmed
    )
    assert "queued for recomputing." in confirmed and "recomputed:" not in confirmed
    work = "health codes of residents and visitors (3 persons)"
    assert f"{work}: waiting for the worker since" in row_of(confirmed, area)
    assert not HealthCode.objects.filter(person__in=residents).exists()

    followups.run_followup.call(FollowUp.objects.get(kind=risk.RECOMPUTE).pk)  # the worker

    page = client.get("/risk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{work}: done at" in row_of(page, area)
    assert set(healthcode.colours_of([p.pk for p in residents]).values()) == {Colour.RED}
    with committed():
        lifted = client.post(
            f"/risk/{area.pk}/lift/", {"reason": "解除"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
        ).content.decode()
    assert "resident facts ended for 3 persons; health codes of 3 persons queued" in lifted
    history = lifted[lifted.index('id="history"') :]
    assert f"{work}: waiting for the worker since" in history


def test_a_changan_office_gets_404_confirming_a_gaocheng_area(
    changan_office, gaocheng_office, city
):
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    client = login(changan_office)
    for action in ("confirm", "dismiss", "lift"):
        assert client.post(f"/risk/{area.pk}/{action}/").status_code == 404
    page = client.get("/risk/").content.decode()
    assert f"/risk/{area.pk}/confirm/" not in page
    area.refresh_from_db()
    assert area.status == S.PROPOSED


def test_an_epidemiologist_sees_the_list_but_may_not_confirm(gaocheng_epi, gaocheng_office, city):
    area = risk.designate(gaocheng_office, level="high", regions=[city.xgz.code], reason="x")
    client = login(gaocheng_epi)
    page = client.get("/risk/")
    assert page.status_code == 200
    assert f"/risk/{area.pk}/confirm/" not in page.content.decode()
    assert client.post(f"/risk/{area.pk}/confirm/").status_code == 403
    assert client.get("/risk/new/").status_code == 403


def test_the_list_needs_a_login(client, city):
    assert client.get("/risk/").status_code == 302


def test_the_designation_form_puts_villages_in_force(gaocheng_office, city, gaocheng_person):
    client = login(gaocheng_office)
    assert client.get("/risk/new/").status_code == 200
    search = client.get("/risk/regions/", {"q": "小果"}, HTTP_HX_REQUEST="true")
    assert 'data-add-region="130109104201"' in search.content.decode()
    with committed():
        response = client.post(
            "/risk/new/",
            {"level": "high", "regions": "130109104201", "reason": "病例住址", "confirm": "on"},
        )
    assert response.status_code == 302
    area = RiskArea.objects.get()
    assert (area.status, area.name, area.rule) == (S.IN_FORCE, "藁城区 增村镇 小果庄村", "manual")
    assert HealthCode.objects.get(person=gaocheng_person).colour == Colour.RED


def test_the_designation_form_names_the_wrong_field(gaocheng_office, city):
    response = login(gaocheng_office).post(
        "/risk/new/",
        {"level": "high", "regions": "130102001001", "reason": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "outside your jurisdiction: 130102001001" in response.content.decode()
    assert not RiskArea.objects.exists()


def test_region_search_stays_in_the_jurisdiction(gaocheng_office, city):
    found = login(gaocheng_office).get("/risk/regions/", {"q": "1301"}).content.decode()
    assert "130109104201" in found
    assert "130102001001" not in found


# The map -----------------------------------------------------------------------------------


def test_the_map_json_is_geojson_with_the_level_of_each_region_at_every_level(
    gaocheng_office, city, zengcun_high
):
    boundaries.generate_from_database()
    client = login(gaocheng_office)
    expected = {
        "130100": {"130102": ("low", None), "130109": ("low", "high")},
        "130109": {"130109104": ("high", None)},
        "130109104": {"130109104201": ("high", None)},
        "130109104201": {"130109104201": ("high", None)},  # a village: itself
    }
    for code, children in expected.items():
        response = client.get(f"/risk/map/{code}.json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        collection = json.loads(response.content)
        assert collection["type"] == "FeatureCollection"
        assert collection["region"]["code"] == code
        shown = {}
        for feature in collection["features"]:
            assert feature["type"] == "Feature"
            geometry = feature["geometry"]
            assert geometry["type"] == "Polygon"
            ring = geometry["coordinates"][0]
            assert ring[0] == ring[-1] and len(ring) >= 4
            assert all(110 < lon < 120 and 35 < lat < 40 for lon, lat in ring)
            p = feature["properties"]
            shown[p["code"]] = (p["level"], p["inside"])
        assert shown == children, code
    path = json.loads(client.get("/risk/map/130109104201.json").content)["path"]
    assert [step["code"] for step in path] == ["130100", "130109", "130109104", "130109104201"]


def test_the_map_json_refuses_unknown_regions(gaocheng_office, city):
    client = login(gaocheng_office)
    assert client.get("/risk/map/999999.json").status_code == 404
    assert client.get("/risk/map/abc.json").status_code == 404


def test_the_map_page_opens_on_the_users_jurisdiction(gaocheng_office, city):
    page = login(gaocheng_office).get("/risk/map/").content.decode()
    assert "vendor/echarts/echarts.min.js" in page
    assert '"start": "130109"' in page


# Colour distribution ---------------------------------------------------------------------------


def test_the_colour_distribution_equals_a_direct_count(city_office, gaocheng_office, city):
    persons(city.xgz, 5)
    persons(city.community, 4)
    recount()  # the persons counter, as seed-city and registration keep it
    with committed():
        risk.designate(
            gaocheng_office, level="high", regions=[city.xgz.code], reason="x", confirm=True
        )
    with committed():
        risk.designate(city_office, level="medium", regions=["130102"], reason="y", confirm=True)
    response = login(city_office).get("/risk/colours/")
    assert response.status_code == 200
    rows = response.context["rows"]
    for row in rows:
        prefix = row.region.code
        codes = HealthCode.objects.in_region(prefix)
        red = codes.filter(colour=Colour.RED).count()
        yellow = codes.filter(colour=Colour.YELLOW).count()
        everyone = Person.objects.in_region(prefix).count()
        assert (row.persons, row.red, row.yellow, row.green) == (
            everyone,
            red,
            yellow,
            everyone - red - yellow,
        )
    assert {r.region.code: (r.red, r.yellow, r.green) for r in rows} == {
        "130102": (0, 4, 0),
        "130109": (5, 0, 0),
    }
    total = response.context["total"]
    assert (total.persons, total.red, total.yellow, total.green) == (9, 5, 4, 0)


def test_a_county_office_sees_its_own_county_only(gaocheng_office, city):
    response = login(gaocheng_office).get("/risk/colours/")
    assert [r.region.code for r in response.context["rows"]] == ["130109"]
    assert response.context["total"] is None


def test_the_colour_distribution_is_for_dashboard_or_health_code_readers(make_user, city):
    officer = make_user("dept", Role.DEPARTMENT_OFFICER, city.gaocheng)
    assert login(officer).get("/risk/colours/").status_code == 403


def test_the_colour_distribution_reads_counters_not_the_tables(city_office, city):
    client = login(city_office)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/risk/colours/").status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "core_counter" in read
    assert "control_healthcode" not in read and "people_person" not in read
