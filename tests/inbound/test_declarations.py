"""The resident's own declaration of arriving (issue 17, item 1): the service, the public
page /arrive/ behind the resident's identification, the county that receives it (and the
one that does not), and what is refused, naming the field."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from epicommand.control.models import HealthCode, HealthFact
from epicommand.core.models import AuditEvent, Role
from epicommand.inbound.models import Arrival
from epicommand.inbound.services import declared
from tests.conftest import login
from tests.tokens import live_token

ARRIVE = "/arrive/"


pytestmark = pytest.mark.usefixtures("fresh_throttle")


@pytest.fixture
def county_office_user(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


def trip(city, **changes):
    fields = {
        "mode": "train",
        "trip_number": "g 6701",
        "origin": "北京市 朝阳区",
        "risk": "medium",
        "arrived_at": timezone.now() - timedelta(hours=3),
        "destination_address": "小果庄村 12 号",
        "region_code": city.zengcun.code,
    }
    return fields | changes


def resident(person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.9")
    response = client.post(
        "/code/identify/", {"document": person.id_number, "phone": person.phone, "next": ARRIVE}
    )
    assert response.status_code == 302
    return client


def page_fields(city, **changes):
    at = timezone.localtime(timezone.now() - timedelta(hours=3))
    return {
        "mode": "train",
        "trip_number": "G6701",
        "risk": "medium",
        "origin": "北京市朝阳区",
        "arrived_at": at.strftime("%Y-%m-%dT%H:%M"),
        "region_code": city.zengcun.code,
        "destination_address": "小果庄村 12 号",
    } | changes


def test_a_declared_arrival_lands_on_the_destination_countys_list_with_its_fact(
    city, gaocheng_person, county_office_user
):
    arrival = declared.declare(gaocheng_person, **trip(city))
    assert (arrival.source, arrival.mode, arrival.trip_number) == ("declaration", "train", "G6701")
    assert (arrival.origin, arrival.risk) == ("北京市 朝阳区", "medium")
    assert arrival.stage == "not_in_loop"
    assert (arrival.person, arrival.region_id) == (gaocheng_person, city.zengcun.code)
    fact = HealthFact.objects.get(person=gaocheng_person)
    assert fact.kind == "medium_risk_visit"
    assert HealthCode.objects.get(person=gaocheng_person).colour == "yellow"
    assert AuditEvent.objects.filter(action="arrival.declare").count() == 1
    assert list(Arrival.objects.visible_to(county_office_user)) == [arrival]


def test_the_same_trip_declared_twice_is_one_arrival(city, gaocheng_person):
    first = declared.declare(gaocheng_person, **trip(city))
    again = declared.declare(gaocheng_person, **trip(city, trip_number="G6701"))
    assert again.pk == first.pk
    other = declared.declare(gaocheng_person, **trip(city, mode="road", trip_number=""))
    assert other.pk != first.pk
    assert Arrival.objects.count() == 2


def test_a_resident_may_declare_only_so_many_trips_a_day(city, gaocheng_person, settings):
    settings.ARRIVAL_DECLARATIONS_PER_DAY = 2
    declared.declare(gaocheng_person, **trip(city, trip_number="G1"))
    declared.declare(gaocheng_person, **trip(city, trip_number="G2"))
    assert declared.declare(gaocheng_person, **trip(city, trip_number="G2"))  # the same trip
    with pytest.raises(ValidationError) as refused:
        declared.declare(gaocheng_person, **trip(city, trip_number="G3"))
    assert "declared 2 arrivals in the last day" in refused.value.messages[0]
    assert Arrival.objects.count() == 2


def test_from_abroad_is_red_and_in_the_closed_loop(city, gaocheng_person):
    arrival = declared.declare(
        gaocheng_person,
        **trip(city, mode="flight", trip_number="SU204", origin="Russia", risk="overseas"),
    )
    assert (arrival.stage, arrival.risk) == ("landed", "overseas")
    assert HealthCode.objects.get(person=gaocheng_person).colour == "red"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"arrived_at": timezone.now() + timedelta(days=1)}, "arrived_at"),
        ({"arrived_at": timezone.now() - timedelta(days=22)}, "arrived_at"),
        ({"arrived_at": None}, "arrived_at"),
        ({"trip_number": ""}, "trip_number"),
        ({"trip_number": "G-67/01"}, "trip_number"),
        ({"mode": "boat"}, "mode"),
        ({"risk": "unknown"}, "risk"),
        ({"origin": ""}, "origin"),
        ({"destination_address": ""}, "destination_address"),
        ({"region_code": "999999"}, "region_code"),
    ],
)
def test_bad_declarations_are_refused_naming_the_field(city, gaocheng_person, changes, field):
    with pytest.raises(ValidationError) as refused:
        declared.declare(gaocheng_person, **trip(city, **changes))
    assert field in refused.value.message_dict
    assert not Arrival.objects.exists() and not HealthFact.objects.exists()


def test_the_policy_says_how_old_a_declaration_may_be(city, gaocheng_person, settings):
    settings.PROTOCOL_EDITION = "8"
    with pytest.raises(ValidationError) as refused:
        declared.declare(
            gaocheng_person, **trip(city, arrived_at=timezone.now() - timedelta(days=21, hours=1))
        )
    assert refused.value.message_dict["arrived_at"] == ["is more than 21 days ago"]
    assert declared.declare(
        gaocheng_person, **trip(city, arrived_at=timezone.now() - timedelta(days=20))
    )


# The page


def test_an_unidentified_visitor_is_sent_to_identify_first(city):
    response = Client().get(ARRIVE)
    assert response.status_code == 302
    assert response["Location"] == "/code/identify/?next=%2Farrive%2F"
    assert not Client().post(ARRIVE, page_fields(city)).status_code == 200
    assert not Arrival.objects.exists()


def test_a_resident_declares_and_their_county_sees_it_and_another_does_not(
    city, gaocheng_person, county_office_user, make_user
):
    client = resident(gaocheng_person)
    form = client.get(ARRIVE)
    assert form.status_code == 200 and form["Cache-Control"] == "no-store, private"
    html = form.content.decode()
    assert "张*" in html and "张伟" not in html
    assert 'name="trip_number"' in html and 'type="datetime-local"' in html
    done = client.post(ARRIVE, page_fields(city))
    assert done.status_code == 200, done.content.decode()
    assert "Arrival declared" in done.content.decode()
    assert client.post(ARRIVE, page_fields(city)).status_code == 200  # a second tap
    arrival = Arrival.objects.get()
    assert (arrival.source, arrival.trip_number) == ("declaration", "G6701")

    county = login(county_office_user)
    county.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    listed = county.get("/inbound/arrivals/").content.decode()
    assert f'data-arrival="{arrival.pk}"' in listed and 'data-source="declaration"' in listed
    assert "张*" in listed and gaocheng_person.id_number not in listed
    api = county.get("/api/v1/inbound/arrivals").json()["items"]
    assert [(a["id"], a["source"], a["trip_number"]) for a in api] == [
        (arrival.pk, "declaration", "G6701")
    ]

    other = login(make_user("changan_office", Role.COUNTY_OFFICE, city.changan))
    assert f'data-arrival="{arrival.pk}"' not in other.get("/inbound/arrivals/").content.decode()
    assert other.get("/api/v1/inbound/arrivals").json()["items"] == []
    assert other.get(f"/api/v1/inbound/arrivals/{arrival.pk}").status_code == 404


def test_a_bad_declaration_comes_back_on_the_form_naming_the_field(city, gaocheng_person):
    client = resident(gaocheng_person)
    future = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(ARRIVE, page_fields(city, arrived_at=future, trip_number=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "is required for a flight or a train" in html
    assert not Arrival.objects.exists()
    response = client.post(ARRIVE, page_fields(city, arrived_at=future))
    assert response.status_code == 400 and "is in the future" in response.content.decode()
    response = client.post(ARRIVE, page_fields(city, region_code="130109", arrived_at="yesterday"))
    assert response.status_code == 400
    assert response.content.decode().count('class="error"') == 2
    assert not Arrival.objects.exists()


def test_the_county_list_needs_the_inbound_capability(city, gaocheng_person, make_user):
    declared.declare(gaocheng_person, **trip(city))
    assert Client().get("/inbound/arrivals/").status_code == 302  # to the login
    officer = login(make_user("officer", Role.CHECKPOINT_OFFICER, city.gaocheng))
    assert officer.get("/inbound/arrivals/").status_code == 403


def test_a_revoked_token_reads_no_arrival(city, gaocheng_person, county_office_user):
    declared.declare(gaocheng_person, **trip(city))
    token, secret = live_token(
        name="读取",
        role=Role.COUNTY_OFFICE,
        unit=county_office_user.unit,
        region=city.gaocheng,
    )
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    device = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert device.get("/api/v1/inbound/arrivals").status_code == 401
