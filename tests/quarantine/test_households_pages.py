"""The community worker's pages: the list of households at home (members masked, days
remaining, open requests with delays flagged, htmx quick actions), a household's page, the
supply list with its "delayed only" filter, the volunteer teams; and every route 404 for
another district's household or request."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core import policy
from epicommand.core.models import Role
from epicommand.quarantine.models import HouseholdControl, SupplyRequest, VolunteerTeam
from epicommand.quarantine.services import households as services
from epicommand.quarantine.services import supplies

from .household_world import *  # noqa: F403  (fixtures)
from .household_world import until

S = SupplyRequest.Status
LIST = "/quarantine/households/"
SUPPLIES = "/quarantine/supplies/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def worker(gaocheng_worker):
    return english(gaocheng_worker)


@pytest.fixture
def late_medicine(home_quarantine, family, gaocheng_worker):
    hours = policy.active().medicine_delivery_hours
    return supplies.request_supplies(
        gaocheng_worker,
        family,
        kind="medicine",
        items="胰岛素 2 支",
        now=timezone.now() - timedelta(hours=hours + 2),
    )


def test_the_list_shows_households_masked_with_days_remaining_and_delayed_requests(
    worker, home_quarantine, late_medicine, gaocheng_person
):
    response = worker.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1301091042010001" in html and "小果庄村 12 号" in html
    assert "4 days remaining" in html
    assert gaocheng_person.masked_id in html and gaocheng_person.id_number not in html
    assert gaocheng_person.masked_phone in html and gaocheng_person.phone not in html
    assert "胰岛素 2 支" in html
    assert 'class="badge bad delayed-flag"' in html and "1 delayed request" in html
    assert "增村镇志愿服务队" in html
    assert response["Cache-Control"] == "no-store, private"


def test_days_remaining_come_from_the_members_home_monitoring_when_the_control_names_no_day(
    worker, city, family, gaocheng_worker, gaocheng_person, make_user, settings
):
    settings.PROTOCOL_EDITION = "9"  # secondary contacts are quarantined at home
    from epicommand.quarantine.services import stays

    office = make_user("gaocheng_county", Role.COUNTY_OFFICE, city.gaocheng)
    stay = stays.assign_stay(
        office,
        gaocheng_person,
        reason="secondary_contact",
        site=None,
        started_at=timezone.now() - timedelta(days=2),
    )
    services.lock_down_area(gaocheng_worker, city.xgz.code, reason="高风险")
    days = (stay.planned_home_end - timezone.localdate()).days
    html = worker.get(LIST).content.decode()
    assert f"{days} days remaining" in html and "(home monitoring)" in html


def test_the_list_reads_a_fixed_number_of_queries_however_many_households(
    worker, city, gaocheng_worker, django_assert_max_num_queries
):
    from epicommand.people.models import Household

    from .household_world import add_person

    for i in range(30):
        household = Household.objects.create(
            code=f"130109104201{i:04d}", region=city.xgz, address=f"小果庄村 {i} 号"
        )
        add_person(city.xgz, household, f"村民{i}", 100 + i)
        services.put_under_home_quarantine(
            gaocheng_worker, household, reason="密接", ends_on=until(5)
        )
        supplies.request_supplies(gaocheng_worker, household, kind="medicine", items="药")
    with django_assert_max_num_queries(12):
        response = worker.get(LIST)
    html = response.content.decode()
    assert html.count('class="household-card"') == 25  # a screen's worth, then the next
    cursor = re.search(r'href="\?after=([0-9-]+)"', html).group(1)
    rest = worker.get(f"{LIST}?after={cursor}").content.decode()
    assert rest.count('class="household-card"') == 5 and "Next page" not in rest


def test_quick_actions_through_htmx_answer_with_the_request_card(
    worker, late_medicine, gaocheng_team
):
    url = f"{SUPPLIES}{late_medicine.pk}"
    assigned = worker.post(
        f"{url}/assign/", {"team_id": gaocheng_team.pk, "volunteer": "刘洋", "next": LIST}, **HTMX
    )
    assert assigned.status_code == 200
    card = assigned.content.decode()
    assert card.lstrip().startswith(
        f'<li class="supply-item delayed" id="supply-{late_medicine.pk}"'
    )
    assert "刘洋" in card and "Assigned." in card
    delivered = worker.post(f"{url}/deliver/", {"next": LIST}, **HTMX).content.decode()
    assert 'data-status="delivered"' in delivered and "delayed-flag" not in delivered
    confirmed = worker.post(f"{url}/confirm/", {"next": LIST}, **HTMX).content.decode()
    assert 'data-status="confirmed"' in confirmed
    again = worker.post(f"{url}/confirm/", {"next": LIST}, **HTMX)
    assert again.status_code == 200  # htmx swaps only 2xx: the card carries the refusal
    assert "receipt was already confirmed at" in again.content.decode()


def test_a_refusal_without_htmx_shows_the_request_with_its_reason(worker, late_medicine):
    response = worker.post(f"{SUPPLIES}{late_medicine.pk}/deliver/", {"next": LIST})
    assert response.status_code == 400
    assert "the request was never assigned to a volunteer" in response.content.decode()
    late_medicine.refresh_from_db()
    assert late_medicine.status == S.REQUESTED


def test_a_quick_action_without_htmx_goes_back_to_the_list(worker, late_medicine, gaocheng_team):
    response = worker.post(
        f"{SUPPLIES}{late_medicine.pk}/assign/",
        {"team_id": gaocheng_team.pk, "volunteer": "刘洋", "next": LIST},
    )
    assert (response.status_code, response["Location"]) == (302, LIST)
    offsite = worker.post(
        f"{SUPPLIES}{late_medicine.pk}/deliver/", {"next": "https://example.com/"}
    )
    assert offsite["Location"] == f"{SUPPLIES}{late_medicine.pk}/"


def test_an_assign_without_a_volunteer_names_the_field(worker, late_medicine, gaocheng_team):
    response = worker.post(
        f"{SUPPLIES}{late_medicine.pk}/assign/", {"team_id": gaocheng_team.pk}, **HTMX
    )
    assert "volunteer: This field is required." in response.content.decode()


def test_the_supply_list_filters_delayed_only(worker, late_medicine, family, gaocheng_worker):
    supplies.request_supplies(gaocheng_worker, family, kind="necessities", items="大米 5 kg")
    every = worker.get(SUPPLIES).content.decode()
    assert "胰岛素 2 支" in every and "大米 5 kg" in every
    delayed = worker.get(f"{SUPPLIES}?overdue=on").content.decode()
    assert "胰岛素 2 支" in delayed and "大米 5 kg" not in delayed
    partial = worker.get(f"{SUPPLIES}?overdue=on", **HTMX).content.decode()
    assert "<html" not in partial and "胰岛素 2 支" in partial


def test_putting_a_household_at_home_from_the_form(worker, family, gaocheng_team):
    response = worker.post(
        "/quarantine/households/new/",
        {
            "household": family.code,
            "reason": "同住人为密接者",
            "ends_on": until(7).isoformat(),
            "team_id": gaocheng_team.pk,
        },
    )
    control = HouseholdControl.objects.get()
    assert response["Location"] == f"/quarantine/households/{control.pk}/"
    detail = worker.get(response["Location"]).content.decode()
    assert "7 days remaining" in detail and "household.home_quarantine" in detail
    again = worker.post(
        "/quarantine/households/new/",
        {"household": family.code, "reason": "再次", "ends_on": until(3).isoformat()},
    )
    assert again.status_code == 400
    assert "the household is already kept at home" in again.content.decode()


def test_the_form_does_not_find_another_districts_household(worker, changan_family):
    response = worker.post(
        "/quarantine/households/new/",
        {"household": changan_family.code, "reason": "密接", "ends_on": until(3).isoformat()},
    )
    assert response.status_code == 400
    assert "No household with this number in your jurisdiction." in response.content.decode()


def test_locking_down_an_area_from_the_form(worker, city, family):
    response = worker.post(
        "/quarantine/households/lockdown/",
        {"region_code": city.xgz.code, "reason": "小果庄村划为高风险地区"},
    )
    assert response.status_code == 302
    page = worker.get(response["Location"]).content.decode()
    assert "1301091042010001" in page and "until lifted" in page
    lifted = worker.post(
        "/quarantine/households/lockdown/lift/", {"region_code": city.xgz.code, "reason": "解除"}
    )
    assert lifted.status_code == 302
    assert not HouseholdControl.objects.filter(ended_at__isnull=True).exists()


def test_the_household_page_requests_supplies_assigns_and_ends(
    worker, home_quarantine, make_user, city
):
    url = f"/quarantine/households/{home_quarantine.pk}/"
    requested = worker.post(f"{url}supplies/new/", {"kind": "medicine", "items": "布洛芬"})
    assert requested.status_code == 302
    assert "布洛芬" in worker.get(url).content.decode()
    refused = worker.post(f"{url}supplies/new/", {"kind": "medicine", "items": ""})
    assert refused.status_code == 400
    village_worker = make_user("xgz_worker", Role.COMMUNITY_WORKER, city.xgz)
    assigned = worker.post(f"{url}assign/", {"community_worker_id": village_worker.pk})
    assert assigned.status_code == 302
    home_quarantine.refresh_from_db()
    assert home_quarantine.community_worker == village_worker and home_quarantine.team is None
    ended = worker.post(f"{url}end/", {"reason": "期满解除"})
    assert ended.status_code == 302
    page = worker.get(url).content.decode()
    assert "released" in page and 'id="supply-form"' not in page
    assert list(SupplyRequest.objects.values_list("status", flat=True)) == ["cancelled"]


def test_teams_are_created_and_edited_from_their_pages(worker, city):
    created = worker.post(
        "/quarantine/teams/new/",
        {
            "name": "小果庄志愿队",
            "region_id": city.xgz.code,
            "leader": "周军",
            "phone": "13600001234",
            "members": 6,
        },
    )
    assert created.status_code == 302
    team = VolunteerTeam.objects.get()
    edited = worker.post(
        f"/quarantine/teams/{team.pk}/edit/",
        {
            "name": "小果庄志愿队",
            "region_id": city.community.code,
            "leader": "周军",
            "phone": "13600001234",
            "members": 7,
        },
    )
    assert edited.status_code == 400
    assert "is outside your jurisdiction" in edited.content.decode()
    html = worker.get("/quarantine/teams/").content.decode()
    assert "小果庄志愿队" in html and "13600001234" in html


def test_a_changan_worker_gets_404_on_every_route_of_a_gaocheng_household(
    late_medicine, home_quarantine, gaocheng_team, changan_worker
):
    other = english(changan_worker)
    household = f"/quarantine/households/{home_quarantine.pk}/"
    supply = f"{SUPPLIES}{late_medicine.pk}/"
    assert other.get(household).status_code == 404
    assert other.get(supply).status_code == 404
    assert other.get(f"/quarantine/teams/{gaocheng_team.pk}/edit/").status_code == 404
    for url, data in [
        (f"{household}assign/", {}),
        (f"{household}end/", {"reason": "x"}),
        (f"{household}supplies/new/", {"kind": "medicine", "items": "药"}),
        (f"{supply}assign/", {"team_id": gaocheng_team.pk, "volunteer": "x"}),
        (f"{supply}deliver/", {}),
        (f"{supply}confirm/", {}),
        (f"{supply}cancel/", {"reason": "x"}),
    ]:
        assert other.post(url, data).status_code == 404, url
    assert "1301091042010001" not in other.get(LIST).content.decode()
    assert "胰岛素" not in other.get(f"{SUPPLIES}?status=all").content.decode()
    assert "增村镇志愿服务队" not in other.get("/quarantine/teams/").content.decode()
    late_medicine.refresh_from_db()
    assert late_medicine.status == S.REQUESTED


def test_who_may_open_the_pages(home_quarantine, gaocheng_epi, make_user, city):
    epi = english(gaocheng_epi)  # follows quarantine: reads, changes nothing
    assert epi.get(LIST).status_code == 200
    assert epi.get(f"/quarantine/households/{home_quarantine.pk}/").status_code == 200
    assert (
        epi.post(f"/quarantine/households/{home_quarantine.pk}/end/", {"reason": "x"}).status_code
        == 403
    )
    sampler = english(make_user("sampler", Role.SAMPLING_STAFF, city.gaocheng))
    assert sampler.get(LIST).status_code == 403
    assert Client().get(LIST)["Location"].startswith("/login/")
