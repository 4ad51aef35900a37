"""DESIGN rule 1 for emergency reports: a Chang'an user gets 404 for a Gaocheng report on
every page and API route, and never sees it listed; the city sees both counties' reports."""

import pytest

from epicommand.command.models import Signature
from epicommand.core.models import Role
from tests.command.report_setup import file_report
from tests.conftest import login


@pytest.fixture
def gaocheng_report(gaocheng_epi, city, offices):
    return file_report(gaocheng_epi, city.xgz, title="藁城区小果庄村报告")


@pytest.fixture
def changan_report(changan_epi, city, offices):
    return file_report(changan_epi, city.community, title="长安区建北社区报告")


def test_a_changan_user_gets_404_for_a_gaocheng_report_page(changan_epi, gaocheng_report):
    response = login(changan_epi).get(f"/reports/{gaocheng_report.pk}/")
    assert response.status_code == 404
    assert gaocheng_report.title not in response.content.decode()


def test_a_changan_office_gets_404_for_every_action_on_a_gaocheng_report(
    changan_office_user, gaocheng_report
):
    client = login(changan_office_user)
    pk = gaocheng_report.pk
    assert client.post(f"/reports/{pk}/steps/", {"text": "x"}).status_code == 404
    assert client.post(f"/reports/{pk}/close/").status_code == 404
    assert client.get(f"/api/v1/emergency-reports/{pk}").status_code == 404
    api_step = client.post(
        f"/api/v1/emergency-reports/{pk}/steps", {"text": "x"}, content_type="application/json"
    )
    assert api_step.status_code == 404
    assert client.post(f"/api/v1/emergency-reports/{pk}/close").status_code == 404
    assert not gaocheng_report.updates.exists()


def test_a_changan_leader_gets_404_when_signing_a_gaocheng_report(
    make_user, city, offices, gaocheng_report
):
    leader = make_user("changan_leader", Role.LEADER, city.changan, offices.changan)
    client = login(leader)
    assert (
        client.post(f"/reports/{gaocheng_report.pk}/sign/", {"capacity": "party"}).status_code
        == 404
    )
    api = client.post(
        f"/api/v1/emergency-reports/{gaocheng_report.pk}/signatures",
        {"capacity": "party"},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert not Signature.objects.exists()


def test_lists_hold_only_the_users_county(changan_epi, gaocheng_report, changan_report):
    client = login(changan_epi)
    page = client.get("/reports/")
    assert list(page.context["open_reports"]) == [changan_report]
    assert gaocheng_report.title not in page.content.decode()
    api = client.get("/api/v1/emergency-reports").json()
    assert [r["id"] for r in api["items"]] == [changan_report.pk]


def test_the_city_sees_both_counties_reports(city_office, gaocheng_report, changan_report):
    client = login(city_office)
    page = client.get("/reports/")
    assert set(page.context["open_reports"]) == {gaocheng_report, changan_report}
    api = client.get("/api/v1/emergency-reports").json()
    assert {r["id"] for r in api["items"]} == {gaocheng_report.pk, changan_report.pk}
    assert client.get(f"/reports/{gaocheng_report.pk}/").status_code == 200
    assert client.get(f"/api/v1/emergency-reports/{changan_report.pk}").status_code == 200


def test_the_api_region_filter_narrows_inside_the_scope(
    city_office, changan_epi, gaocheng_report, changan_report
):
    narrowed = login(city_office).get("/api/v1/emergency-reports", {"region": "130109"}).json()
    assert [r["id"] for r in narrowed["items"]] == [gaocheng_report.pk]
    # Asking for another county's region from Chang'an finds nothing, not their reports.
    outside = login(changan_epi).get("/api/v1/emergency-reports", {"region": "130109"}).json()
    assert outside["items"] == []


def test_the_list_page_narrows_to_a_county_but_never_widens_the_scope(
    city_office, changan_epi, gaocheng_report, changan_report
):
    city = login(city_office).get("/reports/", {"region": "130109"})
    assert list(city.context["open_reports"]) == [gaocheng_report]
    changan = login(changan_epi).get("/reports/", {"region": "130109"})
    assert list(changan.context["open_reports"]) == []
