"""Jurisdiction on every checkpoint route: a checkpoint, its log, its permits and lockdowns
belong to the checkpoint's region; the priority-testing list to the person's. Chang'an's
users get 404 or nothing for Gaocheng's, on the pages and through the API alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control.services import checkpoints as services
from tests.conftest import login

from .checkpoint_world import checkpoint_world


@pytest.fixture
def world(city, make_user, city_office, gaocheng_person, changan_person):
    w = checkpoint_world(city, make_user, city_office)
    # A Gaocheng resident with fever at Gaocheng's checkpoint, a Chang'an resident with
    # fever at Gaocheng's checkpoint too: the log is Gaocheng's, the list each one's own.
    w.passage(gaocheng_person, "38.5", plate="冀A11111")
    w.passage(changan_person, "38.9")
    w.lockdown = services.declare_lockdown(
        w.gaocheng_office, region_id=city.zengcun.code, reason="封控"
    )
    now = timezone.now()
    w.permit = services.issue_permit(
        w.gaocheng_office,
        plate="冀A11111",
        holder="藁城区蔬菜公司",
        purpose="保供",
        valid_from=now,
        valid_until=now + timedelta(days=1),
    )
    return w


def api(user):
    client = login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_changan_gets_404_for_gaocheng_checkpoints_through_the_api(world):
    changan = api(world.changan_office)
    gid = world.checkpoint.pk
    assert changan.get(f"/api/v1/checkpoints/{gid}").status_code == 404
    patched = changan.patch(
        f"/api/v1/checkpoints/{gid}", {"name": "x"}, content_type="application/json"
    )
    assert patched.status_code == 404
    listed = changan.get("/api/v1/checkpoints").json()["items"]
    assert [c["id"] for c in listed] == [world.changan_checkpoint.pk]
    recorded = api(world.changan_officer).post(
        f"/api/v1/checkpoints/{gid}/passages",
        {"id_number": "130102199211030022", "direction": "in"},
        content_type="application/json",
    )
    assert recorded.status_code == 404


def test_changan_sees_none_of_gaocheng_checkpoints_log_through_the_api(world):
    changan = api(world.changan_office)
    assert changan.get("/api/v1/checkpoints/passages").json()["items"] == []
    one = changan.get(f"/api/v1/checkpoints/passages?checkpoint={world.checkpoint.pk}")
    assert one.json()["items"] == []
    gaocheng = api(world.gaocheng_office).get("/api/v1/checkpoints/passages").json()["items"]
    assert len(gaocheng) == 2
    assert {p["masked_id"] for p in gaocheng} == {"130109********1238", "130102********0022"}
    assert {p["person_name"] for p in gaocheng} == {"张*", "李*"}


def test_the_priority_list_follows_the_persons_residence(world, gaocheng_person, changan_person):
    changan = api(world.changan_office).get("/api/v1/checkpoints/priority-tests").json()
    assert [e["person_id"] for e in changan["items"]] == [changan_person.pk]
    gaocheng = api(world.gaocheng_office).get("/api/v1/checkpoints/priority-tests").json()
    assert [e["person_id"] for e in gaocheng["items"]] == [gaocheng_person.pk]
    city = api(world.office).get("/api/v1/checkpoints/priority-tests").json()
    assert len(city["items"]) == 2


def test_changan_gets_404_for_gaocheng_permits_and_lockdowns_through_the_api(world):
    changan = api(world.changan_office)
    assert changan.get("/api/v1/checkpoints/permits").json()["items"] == []
    assert changan.get("/api/v1/checkpoints/lockdowns").json() == []
    revoke = changan.post(
        f"/api/v1/checkpoints/permits/{world.permit.pk}/revoke", {}, content_type="application/json"
    )
    assert revoke.status_code == 404
    lift = changan.post(
        f"/api/v1/checkpoints/lockdowns/{world.lockdown.pk}/lift",
        {},
        content_type="application/json",
    )
    assert lift.status_code == 404
    world.permit.refresh_from_db()
    world.lockdown.refresh_from_db()
    assert world.permit.revoked_at is None and world.lockdown.lifted_at is None


def test_changan_cannot_set_up_a_checkpoint_or_a_lockdown_in_gaocheng(world, city):
    changan = api(world.changan_office)
    created = changan.post(
        "/api/v1/checkpoints",
        {
            "name": "越界检查站",
            "kind": "road",
            "region_code": city.zengcun.code,
            "latitude": 38.0,
            "longitude": 114.8,
        },
        content_type="application/json",
    )
    assert created.status_code == 422
    assert created.json()["errors"] == [
        {"field": "region_id", "message": "is outside your jurisdiction"}
    ]
    declared = changan.post(
        "/api/v1/checkpoints/lockdowns",
        {"region_code": city.gaocheng.code, "reason": "越界"},
        content_type="application/json",
    )
    assert declared.status_code == 422


def test_changan_gets_404_or_nothing_for_gaocheng_on_every_page(world):
    changan = login(world.changan_office)
    gid = world.checkpoint.pk
    listing = changan.get("/checkpoints/").content.decode()
    assert "建华大街检查站" in listing and "G307" not in listing
    assert changan.get(f"/checkpoints/{gid}/edit/").status_code == 404
    officer = login(world.changan_officer)
    assert officer.get(f"/checkpoints/{gid}/record/").status_code == 404
    assert officer.post(f"/checkpoints/{gid}/record/", {"passer": "x"}).status_code == 404
    log = changan.get("/checkpoints/passages/").content.decode()
    assert "130109********1238" not in log and "130102********0022" not in log
    assert (
        "130102********0022"
        not in changan.get(f"/checkpoints/passages/?checkpoint={gid}").content.decode()
    )
    permits = changan.get("/checkpoints/permits/").content.decode()
    assert world.permit.number not in permits
    assert changan.post(f"/checkpoints/permits/{world.permit.pk}/revoke/").status_code == 404
    lockdowns = changan.get("/checkpoints/lockdowns/").content.decode()
    assert "增村镇" not in lockdowns
    assert changan.post(f"/checkpoints/lockdowns/{world.lockdown.pk}/lift/").status_code == 404
    tests = changan.get("/priority-tests/").content.decode()
    assert "130102********0022" in tests and "130109********1238" not in tests


def test_gaocheng_sees_its_own_on_every_page(world):
    gaocheng = login(world.gaocheng_office)
    log = gaocheng.get("/checkpoints/passages/").content.decode()
    assert "130109********1238" in log and "130102********0022" in log
    assert "130109198005171238" not in log  # masked only
    assert world.permit.number in gaocheng.get("/checkpoints/permits/").content.decode()
    assert "增村镇" in gaocheng.get("/checkpoints/lockdowns/").content.decode()
    tests = gaocheng.get("/priority-tests/").content.decode()
    assert "130109********1238" in tests and "130102********0022" not in tests


def test_a_county_sees_a_city_lockdown_over_it_but_cannot_lift_it(world, city):
    citywide = services.declare_lockdown(world.office, region_id=city.sjz.code, reason="全市")
    listed = api(world.changan_office).get("/api/v1/checkpoints/lockdowns").json()
    assert [entry["id"] for entry in listed] == [citywide.pk]
    lift = api(world.changan_office).post(
        f"/api/v1/checkpoints/lockdowns/{citywide.pk}/lift", {}, content_type="application/json"
    )
    assert lift.status_code == 404
