"""/api/v1/emergency-reports: file, read, page through; a device's token may read reports but
not file them (a report names the person who filed it)."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from epicommand.command.models import EmergencyReport
from epicommand.core.models import Role
from tests.command.report_setup import file_report
from tests.conftest import login
from tests.tokens import live_token


def _body(region_code, **changes):
    body = {
        "title": "藁城区发现聚集性疫情",
        "body": "小果庄村 3 户 8 人核酸阳性",
        "severity": 1,
        "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "region_code": region_code,
    }
    body.update(changes)
    return body


def test_filing_through_the_api_returns_the_report(gaocheng_epi, city, offices):
    response = login(gaocheng_epi).post(
        "/api/v1/emergency-reports", _body(city.xgz.code), content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "filed"
    assert body["filing_unit"] == city.gaocheng_cdc.name
    assert body["filed_by"] == "gaocheng_epi"
    assert body["signatures"] == [] and body["steps"] == []
    assert body["missing_signatures"] == ["party", "government"]


def test_a_time_without_offset_is_read_as_beijing_time(gaocheng_epi, city, offices):
    response = login(gaocheng_epi).post(
        "/api/v1/emergency-reports",
        _body(city.xgz.code, occurred_at="2021-01-02T08:30:00"),
        content_type="application/json",
    )
    assert response.status_code == 201
    occurred = EmergencyReport.objects.get().occurred_at
    assert timezone.localtime(occurred).strftime("%Y-%m-%d %H:%M") == "2021-01-02 08:30"


def test_bad_fields_are_named(gaocheng_epi, city, offices):
    response = login(gaocheng_epi).post(
        "/api/v1/emergency-reports",
        _body(city.community.code, severity=7),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"severity"}
    response = login(gaocheng_epi).post(
        "/api/v1/emergency-reports",
        _body(city.community.code),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "region_code", "message": "is outside your jurisdiction"}
    ]


def test_the_list_pages_newest_first(gaocheng_epi, city, offices):
    reports = [file_report(gaocheng_epi, city.xgz, title=f"报告{i}") for i in range(3)]
    client = login(gaocheng_epi)
    first = client.get("/api/v1/emergency-reports", {"limit": 2}).json()
    assert [r["id"] for r in first["items"]] == [reports[2].pk, reports[1].pk]
    second = client.get(
        "/api/v1/emergency-reports", {"limit": 2, "after": first["next_after"]}
    ).json()
    assert [r["id"] for r in second["items"]] == [reports[0].pk]
    assert second["next_after"] is None


def test_a_token_reads_reports_but_cannot_file_one(gaocheng_epi, city_office, city, offices):
    report = file_report(gaocheng_epi, city.xgz)
    _, secret = live_token(
        name="区疾控系统",
        role=Role.EPIDEMIOLOGIST,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    assert client.get(f"/api/v1/emergency-reports/{report.pk}", **auth).status_code == 200
    response = client.post(
        "/api/v1/emergency-reports",
        _body(city.xgz.code),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert EmergencyReport.objects.count() == 1
