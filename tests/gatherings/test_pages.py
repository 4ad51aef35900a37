"""The gatherings pages: the list in scope, filing from the form, deciding from the page,
the queue, the attendee check, the wartime switch, the board, the gate and the resident's
booking page."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control import identity
from epicommand.core.models import AuditEvent
from epicommand.gatherings.models import Application, Booking
from epicommand.gatherings.services import applications, sites
from tests.conftest import login

from .world import attendee_rows, make_people, soon

pytestmark = pytest.mark.django_db
LOCAL = "%Y-%m-%dT%H:%M"


def _local(moment):
    return timezone.localtime(moment).strftime(LOCAL)


@pytest.fixture
def meeting(approvers, hall, city):
    start = soon()
    return applications.file_meeting(
        approvers.village,
        organizer="村委会",
        purpose="村民代表会议",
        venue=hall,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        headcount=3,
        attendees=attendee_rows(make_people(city.xgz, 3)),
    )


def test_a_meeting_is_filed_from_the_form(approvers, hall, city):
    people = make_people(city.xgz, 2)
    start = soon()
    response = login(approvers.village).post(
        "/gatherings/new/meeting/",
        {
            "organizer": "村委会",
            "purpose": "培训",
            "venue_id": hall.pk,
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(hours=1)),
            "headcount": 2,
            "attendees": "\n".join(f"{p.name}, {p.id_number}" for p in people),
        },
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/gatherings/{app.pk}/"


def test_a_bad_attendee_line_is_shown_on_the_field(approvers, hall, city):
    start = soon()
    response = login(approvers.village).post(
        "/gatherings/new/meeting/",
        {
            "organizer": "村委会",
            "purpose": "培训",
            "venue_id": hall.pk,
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(hours=1)),
            "headcount": 2,
            "attendees": "张三, 130109199999999999",
        },
    )
    assert response.status_code == 200
    assert "attendees[0].id_number" in response.content.decode()
    assert not Application.objects.exists()


def test_the_village_decides_on_the_page_and_the_list_is_scoped(approvers, meeting):
    client = login(approvers.village)
    assert f"/gatherings/{meeting.pk}/" in client.get("/gatherings/queue/").content.decode()
    response = client.post(f"/gatherings/{meeting.pk}/", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Application.Status.APPROVED
    other = login(approvers.changan)
    assert other.get(f"/gatherings/{meeting.pk}/").status_code == 404
    assert f"/gatherings/{meeting.pk}/" not in other.get("/gatherings/").content.decode()


def test_the_attendee_check_is_shown_masked_and_audited(approvers, meeting):
    page = login(approvers.county).get(f"/gatherings/{meeting.pk}/check/").content.decode()
    assert "3 attendees miss a condition" in page or "3" in page
    assert meeting.attendees.first().id_number not in page
    assert AuditEvent.objects.filter(action="application.attendee_check").exists()


def test_only_the_city_office_declares_wartime_from_the_page(city_office, approvers):
    start = soon(0, 1)
    response = login(city_office).post(
        "/gatherings/wartime/", {"in_force_from": _local(start), "reason": "战时状态"}
    )
    assert response.status_code == 302
    assert login(approvers.county).post("/gatherings/wartime/", {}).status_code == 403


def test_the_board_the_gate_and_the_residents_booking_page(approvers, city, gaocheng_person):
    park = sites.create_site(
        approvers.tourism,
        name="抱犊寨",
        region_code=city.xgz.code,
        latitude=38.0,
        longitude=114.3,
        max_capacity=100,
    )
    first = (timezone.now() + timedelta(minutes=10)).replace(microsecond=0)
    (slot,) = sites.add_slots(approvers.tourism, park, first_start=first, minutes=90, count=1)
    board = login(approvers.tourism).get("/tourist-sites/").content.decode()
    assert "抱犊寨" in board and "75" in board
    resident = Client()
    assert resident.get("/visit/").status_code == 302  # identify first
    session = resident.session
    session[identity.SESSION_PERSON] = gaocheng_person.pk
    session[identity.SESSION_UNTIL] = time.time() + 600
    session.save()
    assert resident.post(f"/visit/{park.pk}/", {"slot": slot.pk}).status_code == 302
    assert Booking.objects.filter(person=gaocheng_person, slot=slot).exists()
    assert "抱犊寨" in resident.get("/visit/").content.decode()
    gate = login(approvers.gate)
    assert "抱犊寨" in gate.get("/tourist-sites/gates/").content.decode()
    response = gate.post(
        f"/tourist-sites/{park.pk}/gate/",
        {"document": gaocheng_person.id_number, "temperature": Decimal("36.4"), "direction": "in"},
    )
    assert response.status_code == 200
    park.refresh_from_db()
    assert park.inside == 1
