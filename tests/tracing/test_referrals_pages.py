"""The referral pages: Chang'an's inbox lists what Gaocheng sent with its deadline and an
acknowledge button (htmx swaps the row); Gaocheng sees it among its outgoing ones; a
third county gets 404; the navigation counts what awaits acknowledgement; the city office
sees escalated ones; the outside-city form refuses an unknown region naming it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from epicommand.core import periodic
from epicommand.core.access import Capability
from epicommand.core.models import AuditEvent, Region, Role
from epicommand.tracing import tasks as background
from epicommand.tracing.models import Referral
from epicommand.tracing.services import referrals
from epicommand.web import context as web_context
from tests.conftest import login

from .referrals_world import SENT_AT, referral_world  # noqa: F401


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
INBOX = "/referrals/"


def test_the_receiving_county_sees_the_referral_with_its_deadline_and_button(world):
    referral = world.refer()
    page = login(world.changan_epi).get(INBOX, **EN).content.decode()
    assert referral.name in page
    assert "130102********0022" in page and "130102199211030022" not in page
    assert "1 incoming referral awaiting acknowledgement." in page
    assert "overdue" in page
    assert f'hx-post="/referrals/{referral.pk}/acknowledge/"' in page


def test_the_sender_sees_it_outgoing_without_a_button_and_a_third_county_gets_404(
    world, make_user, city
):
    referral = world.refer()
    gaocheng = login(world.gaocheng_epi)
    assert referral.name not in gaocheng.get(INBOX, **EN).content.decode()
    outgoing = gaocheng.get(INBOX, {"tab": "outgoing"}, **EN).content.decode()
    assert referral.name in outgoing and "acknowledge/" not in outgoing
    assert gaocheng.get(f"/referrals/{referral.pk}/").status_code == 200

    xinhua = Region.objects.create(
        code="130105", name="新华区", level=Region.Level.COUNTY, parent=city.sjz
    )
    other = login(make_user("xinhua_epi", Role.EPIDEMIOLOGIST, xinhua))
    assert other.get(f"/referrals/{referral.pk}/").status_code == 404
    assert other.post(f"/referrals/{referral.pk}/acknowledge/").status_code == 404
    assert referral.name not in other.get(INBOX, {"tab": "outgoing"}).content.decode()


def test_the_detail_shows_the_person_in_full_and_is_audited(world, changan_person):
    referral = world.refer()
    page = login(world.changan_epi).get(f"/referrals/{referral.pk}/", **EN)
    assert changan_person.id_number in page.content.decode()
    assert page["Cache-Control"] == "no-store, private"
    assert AuditEvent.objects.filter(action="referral.view", actor=world.changan_epi).exists()


def test_acknowledging_with_htmx_swaps_the_row(world):
    referral = world.refer()
    client = login(world.changan_office)
    response = client.post(f"/referrals/{referral.pk}/acknowledge/", HTTP_HX_REQUEST="true", **EN)
    row = response.content.decode()
    assert response.status_code == 200
    assert row.strip().startswith(f'<tr id="referral-{referral.pk}"')
    assert 'data-status="acknowledged"' in row and "acknowledge/" not in row
    assert Referral.objects.get().acknowledged_by == "changan_office"
    again = client.post(f"/referrals/{referral.pk}/acknowledge/", HTTP_HX_REQUEST="true", **EN)
    assert again.status_code == 400 and "already acknowledged" in again.content.decode()


def test_the_navigation_counts_referrals_awaiting_acknowledgement(world, monkeypatch):
    item = web_context.NavItem(
        "Referrals",
        "tracing:referral_inbox",
        Capability.VIEW_CASES,
        "referrals",
        badge="epicommand.tracing.queries.referrals.open_incoming_count",
    )
    monkeypatch.setattr(web_context, "NAV_ITEMS", (*web_context.NAV_ITEMS, item))
    referral = world.refer()
    changan = login(world.changan_epi)
    nav = {i["label"]: i["badge"] for i in changan.get("/").context["nav_items"]}
    assert nav["Referrals"] == 1
    assert 'Referrals <span class="badge bad">1</span>' in changan.get("/").content.decode()
    gaocheng_nav = login(world.gaocheng_epi).get("/").context["nav_items"]
    assert {i["label"]: i["badge"] for i in gaocheng_nav}["Referrals"] == 0
    referrals.acknowledge(world.changan_epi, referral)
    nav = {i["label"]: i["badge"] for i in changan.get("/").context["nav_items"]}
    assert nav["Referrals"] == 0


def test_the_city_office_sees_escalated_ones(world):
    referral = world.refer()
    referrals.escalate_overdue(now=referral.ack_deadline + timedelta(minutes=5))
    page = login(world.city_office).get(INBOX, {"tab": "escalated"}, **EN).content.decode()
    assert referral.name in page and 'data-status="escalated"' in page
    assert (
        referral.name
        not in login(world.gaocheng_epi).get(INBOX, {"tab": "escalated"}).content.decode()
    )


def test_the_outside_city_form_refuses_an_unknown_region_and_refers_a_known_one(world):
    client = login(world.gaocheng_epi)
    url = f"/referrals/outside/{world.case.pk}/"
    data = {
        "name": "赵强",
        "destination_code": "990101",
        "degree": "close",
        "last_exposure_at": "2021-01-07T13:00",
    }
    refused = client.post(url, data, **EN)
    assert refused.status_code == 400
    assert "unknown region code 990101" in refused.content.decode()
    done = client.post(url, {**data, "destination_code": "110105"}, **EN)
    referral = Referral.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/referrals/{referral.pk}/"
    assert referral.destination == "北京市 110105"
    assert login(world.changan_epi).get(url).status_code == 404


def test_the_exports_are_for_referral_handlers(world):
    referrals.refer_outside(
        world.gaocheng_epi,
        world.case,
        name="赵强",
        destination_code="110105",
        degree="close",
        last_exposure_at=SENT_AT,
        now=SENT_AT,
    )
    response = login(world.gaocheng_epi).get("/referrals/export.csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeffreferral_id,") and "赵强" in text
    assert AuditEvent.objects.filter(action="referral.export").count() == 1


# The background round --------------------------------------------------------------------


@pytest.mark.usefixtures("database_tasks")
def test_the_background_round_escalates_and_queues_the_next(world):
    world.refer()  # sent in 2021: long overdue
    assert background.deliver_referrals.call() == {"delivered": 0, "escalated": 1}
    (waiting,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert waiting.task_path == background.deliver_referrals.module_path
    assert periodic.start(background.deliver_referrals) is None  # one chain at a time


@pytest.mark.usefixtures("database_tasks")
def test_the_command_runs_once_and_schedules_with_a_flag(world, capsys):
    world.refer()
    call_command("deliver_referrals")
    assert "0 referrals delivered, 1 escalated." in capsys.readouterr().out
    assert not DBTaskResult.objects.exists()
    call_command("deliver_referrals", "--schedule")
    assert "Recurring referral round enqueued (every 1 minute(s))." in capsys.readouterr().out
    call_command("deliver_referrals", "--schedule")
    assert "already waiting" in capsys.readouterr().out
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.parametrize("tab", ["incoming", "outgoing", "escalated", "nonsense"])
def test_every_tab_renders_for_a_county_user(world, tab):
    world.refer()
    assert login(world.changan_epi).get(INBOX, {"tab": tab}).status_code == 200
