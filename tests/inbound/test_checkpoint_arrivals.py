"""A person entering through a checkpoint from a medium- or high-risk region becomes an
arrival by road (issue 17, item 1): the follow-up of the passage, once, on the list of
the county they live in, with the health-code fact of the region's risk level; and what
the checkpoint refuses about where a person comes from."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from epicommand.control.models import HealthCode, HealthFact, Passage
from epicommand.control.services.passages import FROM_RISK_REGION
from epicommand.core import followups
from epicommand.core.models import FollowUp, Role
from epicommand.inbound.models import Arrival
from tests.conftest import login
from tests.control.checkpoint_world import checkpoint_world
from tests.tokens import live_token


@pytest.fixture
def world(city, make_user, city_office):
    return checkpoint_world(city, make_user, city_office)


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def enter(world, person, commit, **fields):
    """A passage entering at the G307 checkpoint, its follow-ups run as after a commit."""
    with commit(execute=True):
        return world.passage(person, direction="in", **fields)


def test_a_person_from_a_medium_risk_region_lands_on_their_countys_list(
    world, gaocheng_person, django_capture_on_commit_callbacks
):
    enter(
        world,
        gaocheng_person,
        django_capture_on_commit_callbacks,
        came_from="  北京市 朝阳区 ",
        came_from_risk="medium",
        client_id="g307-1",
    )
    arrival = Arrival.objects.get()
    assert (arrival.source, arrival.mode, arrival.origin, arrival.risk) == (
        "checkpoint",
        "road",
        "北京市 朝阳区",
        "medium",
    )
    assert (arrival.person, arrival.region_id, arrival.destination_address) == (
        gaocheng_person,
        gaocheng_person.region_id,
        "小果庄村 12 号",
    )
    assert arrival.stage == "not_in_loop"  # medium risk: home health monitoring by policy
    passage = Passage.objects.get()
    assert arrival.arrived_at == passage.passed_at
    assert (passage.came_from, passage.came_from_risk) == ("北京市 朝阳区", "medium")
    fact = HealthFact.objects.get(person=gaocheng_person)
    assert (fact.kind, fact.source_key) == ("medium_risk_visit", f"arrival:{arrival.pk}")
    assert HealthCode.objects.get(person=gaocheng_person).colour == "yellow"
    assert followups.latest_for(passage).state == FollowUp.State.DONE
    assert Arrival.objects.visible_to(world.gaocheng_office).get() == arrival
    assert not Arrival.objects.visible_to(world.changan_office).exists()


def test_a_high_risk_region_is_red_and_enters_the_closed_loop(
    world, gaocheng_person, django_capture_on_commit_callbacks
):
    enter(
        world,
        gaocheng_person,
        django_capture_on_commit_callbacks,
        came_from="Zengcun, Hebei",
        came_from_risk="high",
    )
    arrival = Arrival.objects.get()
    assert (arrival.risk, arrival.stage) == ("high", "landed")
    assert HealthFact.objects.get(person=gaocheng_person).kind == "high_risk_visit"
    assert HealthCode.objects.get(person=gaocheng_person).colour == "red"


def test_the_same_passage_twice_and_a_second_checkpoint_make_one_arrival(
    world, gaocheng_person, django_capture_on_commit_callbacks
):
    fields = {"came_from": "北京市朝阳区", "came_from_risk": "medium", "client_id": "g307-2"}
    enter(world, gaocheng_person, django_capture_on_commit_callbacks, **fields)
    replay = enter(world, gaocheng_person, django_capture_on_commit_callbacks, **fields)
    assert replay.replayed
    fields["client_id"] = "g307-3"  # another gate on the same trip
    enter(world, gaocheng_person, django_capture_on_commit_callbacks, **fields)
    assert Passage.objects.count() == 2
    assert Arrival.objects.count() == 1
    assert HealthFact.objects.filter(person=gaocheng_person).count() == 1
    # The follow-up run again (a retried task) finds the arrival it made.
    from epicommand.inbound.services.checkpoints import arrive_from_passages

    again = arrive_from_passages(list(Passage.objects.values_list("pk", flat=True)), None)
    assert {a.pk for a in again} == {Arrival.objects.get().pk}


def test_low_risk_regions_and_people_without_an_origin_are_no_arrivals(
    world, gaocheng_person, changan_person, django_capture_on_commit_callbacks
):
    enter(
        world,
        gaocheng_person,
        django_capture_on_commit_callbacks,
        came_from="保定市",
        came_from_risk="low",
    )
    enter(world, changan_person, django_capture_on_commit_callbacks)
    assert Passage.objects.count() == 2
    assert not Arrival.objects.exists()
    assert not FollowUp.objects.filter(kind=FROM_RISK_REGION).exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"came_from": "北京", "came_from_risk": "extreme"}, "came_from_risk"),
        ({"came_from": "", "came_from_risk": "high"}, "came_from"),
        ({"came_from": "北京", "came_from_risk": ""}, "came_from_risk"),
        ({"came_from": "京" * 61, "came_from_risk": "high"}, "came_from"),
        ({"came_from": "北京", "came_from_risk": "high", "direction": "out"}, "came_from"),
    ],
)
def test_where_a_person_comes_from_is_checked_field_by_field(world, gaocheng_person, fields, field):
    fields.setdefault("direction", "in")
    with pytest.raises(ValidationError) as refused:
        world.passage(gaocheng_person, **fields)
    assert field in refused.value.message_dict
    assert not Passage.objects.exists()


def test_a_vehicle_from_a_high_risk_region_makes_an_arrival_for_each_person(
    world, gaocheng_person, changan_person, django_capture_on_commit_callbacks
):
    from epicommand.control.services import passages

    with django_capture_on_commit_callbacks(execute=True):
        passages.record_vehicle(
            world.officer,
            world.checkpoint,
            driver=passages.PasserIn(gaocheng_person.id_number),
            passengers=[passages.PasserIn(changan_person.id_number)],
            plate="京A12345",
            direction="in",
            came_from="北京市朝阳区",
            came_from_risk="high",
        )
    arrivals = Arrival.objects.order_by("region_id")
    assert [(a.person, a.region_id) for a in arrivals] == sorted(
        [
            (gaocheng_person, gaocheng_person.region_id),
            (changan_person, changan_person.region_id),
        ],
        key=lambda pair: pair[1],
    )
    assert list(Arrival.objects.visible_to(world.changan_office)) == [
        Arrival.objects.get(person=changan_person)
    ]


def test_a_device_batch_from_a_risk_region_makes_arrivals(
    world, gaocheng_person, django_capture_on_commit_callbacks
):
    from epicommand.control.services.passage_batch import record_passages

    item = {
        "client_id": "gate-7",
        "checkpoint_id": world.checkpoint.pk,
        "id_number": gaocheng_person.id_number,
        "direction": "in",
        "passed_at": world.now.isoformat(),
        "came_from": "北京市朝阳区",
        "came_from_risk": "medium",
    }
    with django_capture_on_commit_callbacks(execute=True):
        record_passages(world.officer, [item])
    with django_capture_on_commit_callbacks(execute=True):
        assert record_passages(world.officer, [item]).replayed == 1
    arrival = Arrival.objects.get()
    assert (arrival.source, arrival.risk) == ("checkpoint", "medium")


# Through the checkpoint API


def test_the_checkpoint_api_records_where_a_person_comes_from_and_the_county_sees_the_arrival(
    world, city, gaocheng_person, django_capture_on_commit_callbacks
):
    officer = english(login(world.officer))
    body = {
        "client_id": "g307-api-1",
        "id_number": gaocheng_person.id_number,
        "direction": "in",
        "came_from": "北京市朝阳区",
        "came_from_risk": "high",
    }
    url = f"/api/v1/checkpoints/{world.checkpoint.pk}/passages"
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    with django_capture_on_commit_callbacks(execute=True):
        again = officer.post(url, body, content_type="application/json")
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    county = english(login(world.gaocheng_office))
    listed = county.get("/api/v1/inbound/arrivals").json()["items"]
    assert [(a["source"], a["mode"], a["origin"], a["risk"]) for a in listed] == [
        ("checkpoint", "road", "北京市朝阳区", "high")
    ]
    assert listed[0]["masked_document"] != gaocheng_person.id_number
    other = english(login(world.changan_office))
    assert other.get("/api/v1/inbound/arrivals").json()["items"] == []
    arrival_id = listed[0]["id"]
    assert other.get(f"/api/v1/inbound/arrivals/{arrival_id}").status_code == 404


def test_a_revoked_device_token_records_nothing(world, city, gaocheng_person):
    token, secret = live_token(
        name="测温门",
        role=Role.CHECKPOINT_OFFICER,
        unit=world.police,
        region=city.gaocheng,
    )
    token.revoked_at = world.now
    token.save(update_fields=["revoked_at"])
    device = english(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"))
    response = device.post(
        f"/api/v1/checkpoints/{world.checkpoint.pk}/passages",
        {
            "id_number": gaocheng_person.id_number,
            "direction": "in",
            "came_from": "北京市朝阳区",
            "came_from_risk": "high",
        },
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Passage.objects.exists() and not Arrival.objects.exists()


@pytest.mark.parametrize(
    "fields, field, reason",
    [
        ({"came_from_risk": "extreme", "came_from": "北京"}, "came_from_risk", ""),
        ({"came_from_risk": "high"}, "came_from", "is required with its risk level"),
        (
            {"came_from": "北京", "direction": "out", "came_from_risk": "high"},
            "came_from",
            "entering",
        ),
    ],
)
def test_bad_origins_through_the_api_name_the_field(world, gaocheng_person, fields, field, reason):
    officer = english(login(world.officer))
    body = {"id_number": gaocheng_person.id_number, "direction": "in"} | fields
    response = officer.post(
        f"/api/v1/checkpoints/{world.checkpoint.pk}/passages", body, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    text = response.content.decode()
    assert field in text and reason in text
    assert "Traceback" not in text
    assert not Passage.objects.exists()


# Through the officer's phone screen


def test_the_officers_screen_records_where_a_person_comes_from(
    world, gaocheng_person, django_capture_on_commit_callbacks
):
    officer = english(login(world.officer))
    url = f"/checkpoints/{world.checkpoint.pk}/record/"
    assert 'name="came_from_risk"' in officer.get(url).content.decode()
    refused = officer.post(
        url, {"passer": gaocheng_person.id_number, "direction": "in", "came_from_risk": "high"}
    )
    assert refused.status_code == 400
    assert "is required with its risk level" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url,
            {
                "passer": gaocheng_person.id_number,
                "direction": "in",
                "came_from": "北京市朝阳区",
                "came_from_risk": "high",
            },
        )
    assert response.status_code == 200
    assert 'data-verdict="pass"' in response.content.decode()
    arrival = Arrival.objects.get()
    assert (arrival.source, arrival.origin, arrival.risk) == ("checkpoint", "北京市朝阳区", "high")
