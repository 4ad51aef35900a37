"""The priority-testing list as the sampling teams work it: the nearest site (measured from
the person's village) or a door-to-door slot before the deadline, overdue flags, sampling
from the list (page and API), and scoping on every route."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.testing.models import PriorityTest, Sample
from epicommand.testing.services import priority
from tests.conftest import login

from .clinics_world import (  # noqa: F401
    boundaries_fixture,
    changan_sampler_fixture,
    gaocheng_sampler_fixture,
    gaocheng_sites_fixture,
    list_entry,
    make_site,
    new_tube,
)

pytestmark = pytest.mark.django_db
R = PriorityTest.Reason
API = "/api/v1/testing/priority"


def test_a_checkpoint_fever_goes_to_the_nearest_site_of_the_county(
    boundaries, gaocheng_sites, gaocheng_person, city
):
    # A Chang'an site nearer than Gaocheng's far one is not offered across the county line
    # while the county has one in use.
    make_site(city.street, "长安区采样点", 38.06, 114.95)
    entry = list_entry(gaocheng_person, R.CHECKPOINT_FEVER)
    plan = priority.plan_for([entry])[entry.pk]
    assert not plan.door_to_door
    assert plan.site == gaocheng_sites[0]
    assert 0.5 < plan.distance_km < 1.5
    assert not plan.overdue


def test_a_close_contact_gets_a_door_to_door_slot_before_the_deadline(
    boundaries, gaocheng_sites, gaocheng_person
):
    now = timezone.now()
    entry = list_entry(gaocheng_person, R.CLOSE_CONTACT, listed_at=now - timedelta(hours=2))
    plan = priority.plan_for([entry], now=now)[entry.pk]
    assert plan.door_to_door and plan.site is None
    assert now <= plan.slot_start < plan.slot_end <= entry.deadline
    assert plan.slot_end - plan.slot_start == timedelta(hours=1)
    # With forty minutes left, the slot is what is left.
    late = list_entry(
        gaocheng_person,
        R.SUSPECTED_CASE,
        listed_at=now - timedelta(hours=11, minutes=20),
        key="late",
    )
    plan = priority.plan_for([late], now=now)[late.pk]
    assert plan.slot_start == now and plan.slot_end == late.deadline


def test_overdue_entries_are_flagged(boundaries, gaocheng_sites, gaocheng_person):
    now = timezone.now()
    entry = list_entry(gaocheng_person, R.FEVER_CLINIC, listed_at=now - timedelta(hours=13))
    plan = priority.plan_for([entry], now=now)[entry.pk]
    assert plan.overdue


def test_without_a_site_in_use_a_team_goes_to_the_person(boundaries, gaocheng_person, city):
    make_site(city.zengcun, "停用采样点", 38.06, 114.93, active=False)
    entry = list_entry(gaocheng_person, R.CHECKPOINT_FEVER)
    plan = priority.plan_for([entry])[entry.pk]
    assert plan.door_to_door and plan.site is None


def test_a_site_closed_until_after_the_deadline_is_said(boundaries, gaocheng_person, city):
    now = timezone.localtime().replace(hour=22, minute=0, second=0, microsecond=0)
    make_site(city.zengcun, "白天采样点", 38.069, 114.93, opens="08:00", closes="18:00")
    entry = list_entry(gaocheng_person, R.CHECKPOINT_FEVER, listed_at=now, hours=2)
    plan = priority.plan_for([entry], now=now)[entry.pk]
    assert plan.site_closed_until_deadline
    assert plan.slot_start.hour == 8


def test_sampling_from_the_list_marks_the_entry(
    boundaries, gaocheng_sites, gaocheng_sampler, gaocheng_person
):
    entry = list_entry(gaocheng_person, R.CLOSE_CONTACT)
    sample = priority.sample_entry(gaocheng_sampler, entry, tube_barcode=new_tube())
    entry.refresh_from_db()
    assert entry.sampled_at == sample.sampled_at
    assert sample.door_to_door and sample.tube.purpose == "priority"
    assert AuditEvent.objects.filter(action="priority_test.sample", object_id=str(entry.pk))
    with pytest.raises(ValidationError) as again:
        priority.sample_entry(gaocheng_sampler, entry, tube_barcode=new_tube())
    assert "entry" in again.value.message_dict


def test_the_api_lists_the_plan_and_samples(
    boundaries, gaocheng_sites, gaocheng_sampler, gaocheng_person, changan_person
):
    now = timezone.now()
    fever = list_entry(gaocheng_person, R.CHECKPOINT_FEVER, listed_at=now - timedelta(hours=13))
    list_entry(changan_person, R.CLOSE_CONTACT)
    client = login(gaocheng_sampler)
    listed = client.get(API).json()["items"]
    assert [e["id"] for e in listed] == [fever.pk]  # Chang'an's contact is out of scope
    (row,) = listed
    assert row["overdue"] is True
    assert row["plan"]["site"]["id"] == gaocheng_sites[0].pk
    assert row["plan"]["door_to_door"] is False
    assert row["person_name"] == "张*"
    assert client.get(f"{API}?overdue=true&reason=close_contact").json()["items"] == []
    tube = new_tube()
    sampled = client.post(
        f"{API}/{fever.pk}/sample",
        {"tube_barcode": tube, "site_id": gaocheng_sites[0].pk, "client_id": "t-1"},
        content_type="application/json",
    )
    assert sampled.status_code == 201, sampled.content
    assert sampled.json()["tube_barcode"] == tube and sampled.json()["door_to_door"] is False
    fever.refresh_from_db()
    assert fever.sampled_at is not None
    replay = client.post(
        f"{API}/{fever.pk}/sample",
        {"tube_barcode": tube, "site_id": gaocheng_sites[0].pk, "client_id": "t-1"},
        content_type="application/json",
    )
    assert replay.status_code == 201 and Sample.objects.count() == 1
    assert client.get(API).json()["items"] == []


def test_bad_tubes_are_refused_naming_the_field(boundaries, gaocheng_sampler, gaocheng_person):
    entry = list_entry(gaocheng_person, R.CLOSE_CONTACT)
    refused = login(gaocheng_sampler).post(
        f"{API}/{entry.pk}/sample", {"tube_barcode": "123"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["tube_barcode"]
    entry.refresh_from_db()
    assert entry.sampled_at is None


def test_other_districts_entries_are_404_on_every_route(
    changan_sampler, gaocheng_person, boundaries
):
    entry = list_entry(gaocheng_person, R.CLOSE_CONTACT)
    client = login(changan_sampler)
    assert client.get(API).json()["items"] == []
    assert (
        client.post(
            f"{API}/{entry.pk}/sample",
            {"tube_barcode": new_tube()},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(f"/testing/priority/{entry.pk}/sample/").status_code == 404
    assert (
        client.post(
            f"/testing/priority/{entry.pk}/sample/", {"tube_barcode": new_tube(), "client_id": "x"}
        ).status_code
        == 404
    )
    page = client.get("/priority-tests/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"/testing/priority/{entry.pk}/sample/" not in page.content.decode()


def test_the_list_page_shows_where_and_samples_now(
    boundaries, gaocheng_sites, gaocheng_sampler, gaocheng_person, changan_person
):
    contact = list_entry(gaocheng_person, R.CLOSE_CONTACT)
    client = login(gaocheng_sampler)
    page = client.get("/priority-tests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "door to door" in page
    assert f"/testing/priority/{contact.pk}/sample/" in page
    form = client.get(f"/testing/priority/{contact.pk}/sample/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200 and "张*" in form.content.decode()
    refused = client.post(
        f"/testing/priority/{contact.pk}/sample/",
        {"tube_barcode": "", "door_to_door": "on", "client_id": "p-1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    done = client.post(
        f"/testing/priority/{contact.pk}/sample/",
        {"tube_barcode": new_tube(), "door_to_door": "on", "client_id": "p-2"},
    )
    assert done.status_code == 302
    contact.refresh_from_db()
    assert contact.sampled_at is not None


def test_a_clinician_sees_the_list_without_the_sampling_action(
    boundaries, make_user, city, gaocheng_person
):
    from epicommand.core.models import Role

    doctor = make_user("doc", Role.CLINICIAN, city.gaocheng)
    entry = list_entry(gaocheng_person, R.FEVER_CLINIC)
    client = login(doctor)
    page = client.get("/priority-tests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "张*" in page and f"/testing/priority/{entry.pk}/sample/" not in page
    assert client.get(f"/testing/priority/{entry.pk}/sample/").status_code == 403
