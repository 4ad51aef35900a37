"""/api/v1/quarantine/households: households at home (list, home quarantine, area lockdown,
end), teams, and supply requests (create, assign, deliver, confirm, list), scoped to the
caller's district (404 outside it) with every refusal a 4xx naming its field."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import AuditEvent, Role
from epicommand.quarantine.models import HouseholdControl, SupplyRequest
from epicommand.quarantine.services import households as services
from epicommand.quarantine.services import supplies
from tests.conftest import login

from .household_world import *  # noqa: F403  (fixtures)
from .household_world import token_for, until

BASE = "/api/v1/quarantine/households"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def worker(gaocheng_worker):
    return login(gaocheng_worker)


def test_a_worker_puts_a_household_under_home_quarantine_and_lists_it(
    worker, family, gaocheng_worker, gaocheng_team
):
    response = post(
        worker,
        BASE,
        {
            "household_id": family.pk,
            "reason": "同住人为密接者",
            "ends_on": until(4).isoformat(),
            "community_worker_id": gaocheng_worker.pk,
            "team_id": gaocheng_team.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["household"]["kind"] == "home_quarantine"
    assert body["household"]["community_worker"] == "zengcun_worker"
    assert body["household"]["team"]["name"] == "增村镇志愿服务队"
    assert body["days_remaining"] == 4 and body["until"] == until(4).isoformat()
    assert {m["masked_id"][:6] for m in body["members"]} == {"130109"}
    assert all("*" in m["masked_id"] for m in body["members"])
    assert "id_number" not in body["members"][0]

    listed = worker.get(BASE).json()
    assert [item["household"]["id"] for item in listed["items"]] == [body["household"]["id"]]
    assert listed["next_after"] is None


def test_the_whole_supply_flow_through_the_api(worker, home_quarantine, family, gaocheng_team):
    created = post(
        worker,
        f"{BASE}/supplies",
        {"household_id": family.pk, "kind": "medicine", "items": "降压药 1 盒"},
    )
    assert created.status_code == 201, created.content
    supply = created.json()
    assert (supply["status"], supply["delayed"], supply["household_code"]) == (
        "requested",
        False,
        family.code,
    )
    url = f"{BASE}/supplies/{supply['id']}"
    assigned = post(worker, f"{url}/assign", {"team_id": gaocheng_team.pk, "volunteer": "刘洋"})
    assert (assigned.status_code, assigned.json()["status"]) == (200, "assigned")
    delivered = post(worker, f"{url}/deliver")
    assert (delivered.status_code, delivered.json()["status"]) == (200, "delivered")
    confirmed = post(worker, f"{url}/confirm")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    twice = post(worker, f"{url}/confirm")
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["field"] == "status"
    assert worker.get(f"{BASE}/supplies").json()["items"] == []
    assert [s["id"] for s in worker.get(f"{BASE}/supplies?status=all").json()["items"]] == [
        supply["id"]
    ]


def test_refusals_are_422_naming_the_field(worker, home_quarantine, family, changan_family):
    supply = supplies.request_supplies(
        home_quarantine.community_worker, family, kind="medicine", items="药"
    )
    worker.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the refusals are read in English
    never_assigned = post(worker, f"{BASE}/supplies/{supply.pk}/deliver")
    assert never_assigned.status_code == 422
    assert never_assigned.json()["errors"] == [
        {
            "field": "status",
            "message": "the request was never assigned to a volunteer: assign it before "
            "marking it delivered",
        }
    ]
    confirm = post(worker, f"{BASE}/supplies/{supply.pk}/confirm")
    assert confirm.status_code == 422
    bad_kind = post(
        worker, f"{BASE}/supplies", {"household_id": family.pk, "kind": "water", "items": "x"}
    )
    assert bad_kind.status_code == 422 and bad_kind.json()["errors"][0]["field"] == "kind"
    again = post(
        worker,
        BASE,
        {"household_id": family.pk, "reason": "再次", "ends_on": until(2).isoformat()},
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "household_id"
    past = post(
        worker,
        BASE,
        {
            "household_id": family.pk,
            "reason": "x",
            "ends_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert past.status_code == 422


def test_a_request_for_a_household_not_at_home_is_refused(worker, family):
    response = post(
        worker, f"{BASE}/supplies", {"household_id": family.pk, "kind": "medicine", "items": "药"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "household_id"


def test_an_area_lockdown_through_the_api_and_its_lifting(worker, city, family, gaocheng_team):
    response = post(
        worker,
        f"{BASE}/lockdown",
        {"region_code": city.zengcun.code, "reason": "高风险地区", "team_id": gaocheng_team.pk},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "region_code": city.zengcun.code,
        "households_placed": 1,
        "already_at_home": 0,
    }
    (item,) = worker.get(f"{BASE}?kind=lockdown_area").json()["items"]
    assert item["days_remaining"] is None and item["household"]["ends_on"] is None
    lifted = post(
        worker, f"{BASE}/lockdown/lift", {"region_code": city.zengcun.code, "reason": "解除"}
    )
    assert lifted.json() == {"region_code": city.zengcun.code, "households_released": 1}
    assert worker.get(BASE).json()["items"] == []


def test_ending_and_assigning_through_the_api(worker, home_quarantine, make_user, city):
    village_worker = make_user("xgz_worker", Role.COMMUNITY_WORKER, city.xgz)
    url = f"{BASE}/{home_quarantine.pk}"
    assigned = post(worker, f"{url}/assign", {"community_worker_id": village_worker.pk})
    assert assigned.json()["household"]["community_worker"] == "xgz_worker"
    assert assigned.json()["household"]["team"]["name"] == "增村镇志愿服务队"  # unchanged
    cleared = post(worker, f"{url}/assign", {"team_id": None})
    assert cleared.json()["household"]["team"] is None
    nobody = post(worker, f"{url}/assign", {"community_worker_id": 999_999})
    assert nobody.status_code == 422
    ended = post(worker, f"{url}/end", {"reason": "期满"})
    assert ended.status_code == 200 and ended.json()["household"]["ended_at"] is not None
    assert post(worker, f"{url}/end", {"reason": "期满"}).status_code == 422


def test_teams_through_the_api(worker, city):
    created = post(
        worker,
        f"{BASE}/teams",
        {
            "name": "小果庄志愿队",
            "region_code": city.xgz.code,
            "leader": "周军",
            "phone": "13600001234",
            "members": 6,
        },
    )
    assert created.status_code == 201, created.content
    team = created.json()
    changed = patch(worker, f"{BASE}/teams/{team['id']}", {"members": 9, "leader": "吴刚"})
    assert (changed.json()["members"], changed.json()["leader"]) == (9, "吴刚")
    outside = patch(worker, f"{BASE}/teams/{team['id']}", {"region_code": city.community.code})
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "region_code"
    listed = worker.get(f"{BASE}/teams").json()["items"]
    assert [t["name"] for t in listed] == ["小果庄志愿队"]
    assert AuditEvent.objects.filter(action__startswith="volunteer_team.").count() == 2


def test_a_changan_worker_gets_404_for_a_gaocheng_household_and_its_requests(
    home_quarantine, family, gaocheng_team, changan_worker, city
):
    supply = supplies.request_supplies(
        home_quarantine.community_worker, family, kind="medicine", items="药"
    )
    other = login(changan_worker)
    control_url = f"{BASE}/{home_quarantine.pk}"
    supply_url = f"{BASE}/supplies/{supply.pk}"
    for url in (control_url, supply_url, f"{BASE}/teams/{gaocheng_team.pk}"):
        assert other.get(url).status_code == 404, url
    for url, data in [
        (f"{control_url}/assign", {"team_id": None}),
        (f"{control_url}/end", {"reason": "x"}),
        (f"{supply_url}/assign", {"team_id": gaocheng_team.pk, "volunteer": "x"}),
        (f"{supply_url}/deliver", {}),
        (f"{supply_url}/confirm", {}),
        (f"{supply_url}/cancel", {"reason": "x"}),
        (f"{BASE}/supplies", {"household_id": family.pk, "kind": "medicine", "items": "药"}),
        (BASE, {"household_id": family.pk, "reason": "x", "ends_on": until(3).isoformat()}),
    ]:
        assert post(other, url, data).status_code == 404, url
    assert patch(other, f"{BASE}/teams/{gaocheng_team.pk}", {"members": 2}).status_code == 404
    assert other.get(BASE).json()["items"] == []
    assert other.get(f"{BASE}/supplies?status=all").json()["items"] == []
    assert other.get(f"{BASE}/teams").json()["items"] == []
    lockdown = post(other, f"{BASE}/lockdown", {"region_code": city.zengcun.code, "reason": "x"})
    assert lockdown.status_code == 403
    supply.refresh_from_db()
    assert supply.status == SupplyRequest.Status.REQUESTED
    assert HouseholdControl.objects.count() == 1


def test_a_county_token_works_and_a_role_without_home_control_is_forbidden(
    home_quarantine, city, city_office, gaocheng_epi
):
    headers = token_for(city_office, Role.COUNTY_OFFICE, city.gaocheng_cdc, city.gaocheng)
    listed = Client().get(BASE, **headers)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    epi = login(gaocheng_epi)
    assert epi.get(BASE).status_code == 200  # VIEW_QUARANTINE reads
    ended = post(epi, f"{BASE}/{home_quarantine.pk}/end", {"reason": "x"})
    assert ended.status_code == 403
    assert Client().get(BASE).status_code == 401


@pytest.mark.parametrize(
    "url, status",
    [
        (f"{BASE}/99999999999999999999", 422),
        (f"{BASE}/supplies/99999999999999999999", 422),
        (f"{BASE}?after={'9' * 41}", 422),
        (f"{BASE}?after=130109104201-99999999999999999999", 200),
        (f"{BASE}/supplies?after=not-a-cursor", 200),  # an unknown cursor starts at the top
        (f"{BASE}/supplies?kind=water", 422),
        (f"{BASE}?region=abc", 422),
        (f"{BASE}/12345", 404),
    ],
)
def test_huge_numbers_and_bad_filters_are_refused_cleanly(worker, url, status):
    response = worker.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_a_nul_character_is_refused(worker, home_quarantine, family):
    response = worker.post(
        f"{BASE}/supplies",
        json.dumps({"household_id": family.pk, "kind": "medicine", "items": "\x00"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not SupplyRequest.objects.exists()


def test_pages_of_households_cover_each_once(worker, city, gaocheng_worker):
    from epicommand.people.models import Household

    Household.objects.bulk_create(
        Household(code=f"1301091042019{i:03d}", region=city.xgz, address=f"{i} 号")
        for i in range(7)
    )
    services.lock_down_area(gaocheng_worker, city.zengcun.code, reason="高风险")
    seen, after = [], None
    while True:
        url = f"{BASE}?limit=3" + (f"&after={after}" if after else "")
        page = worker.get(url).json()
        seen += [item["household"]["household_code"] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert sorted(seen) == sorted(Household.objects.values_list("code", flat=True))
    assert len(seen) == 7
