"""The wartime state: a dated switch set by the city office, audited, read at the gathering's
moment by filing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.gatherings import queries
from epicommand.gatherings.models import Application, Kind
from epicommand.gatherings.services import applications, wartime

from .world import make_people, soon

pytestmark = pytest.mark.django_db


def test_the_city_office_declares_it_from_a_moment_and_it_holds_from_then(city_office):
    start = timezone.now() + timedelta(hours=1)
    state = wartime.declare(city_office, in_force_from=start, reason="全市进入战时状态")
    assert queries.wartime_at(start - timedelta(minutes=1)) is None
    assert queries.wartime_at(start + timedelta(days=30)) == state
    assert AuditEvent.objects.filter(action="wartime.declare", object_id=str(state.pk)).exists()
    wartime.end(city_office, state, at=start + timedelta(days=2))
    assert queries.wartime_at(start + timedelta(days=3)) is None
    assert AuditEvent.objects.filter(action="wartime.end").exists()


def test_only_the_city_office_sets_it_and_never_in_the_past(city_office, approvers):
    with pytest.raises(PermissionDenied):
        wartime.declare(approvers.county, in_force_from=timezone.now(), reason="x")
    with pytest.raises(ValidationError) as refused:
        wartime.declare(city_office, in_force_from=timezone.now() - timedelta(days=1), reason="")
    assert set(refused.value.message_dict) == {"in_force_from", "reason"}


def test_two_declarations_may_not_overlap(city_office):
    wartime.declare(city_office, in_force_from=timezone.now(), reason="一")
    with pytest.raises(ValidationError):
        wartime.declare(city_office, in_force_from=soon(5), reason="二")


def test_while_it_holds_large_events_and_weddings_are_refused_and_funerals_capped(
    city_office, approvers, hall, city
):
    wartime.declare(city_office, in_force_from=timezone.now(), reason="战时")
    start = soon()
    people = make_people(city.xgz, 3)
    rows = [{"name": p.name, "id_number": p.id_number} for p in people]
    large = applications.file_meeting(
        approvers.village,
        organizer="村委会",
        purpose="大型活动",
        venue=hall,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        headcount=120,
        attendees=rows,
    )
    assert large.status == Application.Status.REFUSED and large.wartime
    assert "wartime state" in large.refusal_reason
    family = {
        "organizer": "王家",
        "purpose": "家事",
        "region_code": city.xgz.code,
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
    }
    wedding = applications.file_family_event(
        approvers.village, kind=Kind.WEDDING, headcount=10, **family
    )
    assert "postpone" in wedding.refusal_reason
    funeral = applications.file_family_event(
        approvers.village, kind=Kind.FUNERAL, headcount=15, **family
    )
    assert funeral.status == Application.Status.PENDING
    assert [s.approver for s in funeral.stages.all()] == ["village"]
    crowded = applications.file_family_event(
        approvers.village, kind=Kind.FUNERAL, headcount=40, **family
    )
    assert crowded.status == Application.Status.REFUSED


def test_a_gathering_after_the_wartime_state_ends_is_not_held_by_it(city_office, approvers, city):
    state = wartime.declare(city_office, in_force_from=timezone.now(), reason="战时")
    wartime.end(city_office, state, at=timezone.now() + timedelta(days=1))
    wedding = applications.file_family_event(
        approvers.village,
        kind=Kind.WEDDING,
        organizer="李家",
        purpose="婚礼",
        region_code=city.xgz.code,
        starts_at=soon(5),
        ends_at=soon(5, 4),
        headcount=30,
    )
    assert wedding.status == Application.Status.PENDING and not wedding.wartime
