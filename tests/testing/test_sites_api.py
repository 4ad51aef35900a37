"""/api/v1/testing/sites: set up, list, read and change sampling sites; scoped by the
site's region (another district's site is 404); bad input 422 naming the field."""

import pytest

from epicommand.core.models import AuditEvent, Role
from tests.conftest import login

from .rounds_world import (  # noqa: F401  fixtures
    changan_office_fixture,
    gaocheng_office_fixture,
    make_site,
    villages_fixture,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/testing/sites"
SITE = {
    "name": "增村镇中心小学采样点",
    "region_code": "130109104",
    "address": "增村镇中心小学操场",
    "latitude": 38.105,
    "longitude": 114.81,
    "tables": 6,
    "opens_at": "07:30",
    "closes_at": "21:00",
    "per_table_hour": 50,
}


def test_an_office_sets_up_reads_and_changes_a_site(gaocheng_office, villages):
    client = login(gaocheng_office)
    made = client.post(API, SITE, content_type="application/json")
    assert made.status_code == 201, made.content
    site = made.json()
    assert (site["region_code"], site["opens_at"], site["tables"]) == ("130109104", "07:30:00", 6)
    url = f"{API}/{site['id']}"
    changed = client.patch(
        url, {"tables": 8, "is_active": False, "reason": "more staff"}, "application/json"
    )
    assert changed.status_code == 200
    assert (changed.json()["tables"], changed.json()["is_active"]) == (8, False)
    assert client.get(url).json()["tables"] == 8
    assert [s["id"] for s in client.get(f"{API}?active=false").json()["items"]] == [site["id"]]
    assert AuditEvent.objects.filter(action__startswith="sampling_site.").count() == 2


def test_bad_site_input_names_the_field(gaocheng_office, villages):
    client = login(gaocheng_office)
    outside = client.post(
        API, {**SITE, "region_code": "130102001"}, "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert outside.status_code == 422
    assert outside.json()["errors"] == [
        {"field": "region_code", "message": "is outside your jurisdiction"}
    ]
    shape = client.post(API, {**SITE, "tables": 0, "opens_at": "25:00"}, "application/json")
    assert shape.status_code == 422
    assert {e["field"] for e in shape.json()["errors"]} == {"tables", "opens_at"}
    hours = client.post(API, {**SITE, "closes_at": "06:00"}, "application/json")
    assert [e["field"] for e in hours.json()["errors"]] == ["closes_at"]


def test_another_districts_site_is_404(gaocheng_office, changan_office, villages):
    site = make_site(gaocheng_office, villages.xgz, "小果庄", 38.1, 114.8)
    client = login(changan_office)
    assert client.get(API).json()["items"] == []
    assert client.get(f"{API}/{site.pk}").status_code == 404
    assert client.patch(f"{API}/{site.pk}", {"tables": 1}, "application/json").status_code == 404


def test_reading_needs_testing_and_changing_needs_managing(
    gaocheng_office, make_user, city, villages
):
    site = make_site(gaocheng_office, villages.xgz, "小果庄", 38.1, 114.8)
    sampler = login(make_user("s", Role.SAMPLING_STAFF, city.gaocheng))
    assert sampler.get(f"{API}/{site.pk}").status_code == 200
    assert sampler.post(API, SITE, content_type="application/json").status_code == 403
    patched = sampler.patch(f"{API}/{site.pk}", {"tables": 1}, "application/json")
    assert patched.status_code == 403
    officer = login(make_user("c", Role.CHECKPOINT_OFFICER, city.gaocheng))
    assert officer.get(API).status_code == 403


@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_a_time_with_an_offset_is_refused_naming_the_field(gaocheng_office, villages, field):
    """A site's hours are local clock times (Asia/Shanghai): an offset means nothing there,
    and comparing an aware time with a naive one was a 500."""
    client = login(gaocheng_office)
    made = client.post(API, {**SITE, field: "08:00:00+08:00"}, "application/json")
    assert made.status_code == 422, made.content
    assert [e["field"] for e in made.json()["errors"]] == [field]
    site = client.post(API, SITE, "application/json").json()
    changed = client.patch(f"{API}/{site['id']}", {field: "09:00Z"}, "application/json")
    assert changed.status_code == 422, changed.content
    assert [e["field"] for e in changed.json()["errors"]] == [field]
