"""Filing applications and deciding their stages in order."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.core.models import AuditEvent
from epicommand.gatherings.models import Application, Attendee, Stage
from epicommand.gatherings.services import applications, approvals

from .world import area_in_force, attendee_rows, make_people, soon

pytestmark = pytest.mark.django_db
S = Stage.State


def _meeting(actor, hall, people, headcount=None, **overrides):
    start = overrides.pop("starts_at", soon())
    kwargs = {
        "organizer": "小果庄村委会",
        "purpose": "村民代表会议",
        "venue": hall,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "headcount": headcount or len(people),
        "attendees": attendee_rows(people),
    }
    kwargs.update(overrides)
    return applications.file_meeting(actor, **kwargs)


def test_a_meeting_of_200_goes_to_the_township_with_a_deadline(approvers, hall, city):
    people = make_people(city.xgz, 5)
    app = _meeting(approvers.village, hall, people, headcount=200)
    (stage,) = app.stages.all()
    assert (stage.approver, stage.region_id, stage.state) == (
        "township",
        city.zengcun.code,
        S.CURRENT,
    )
    assert stage.due_at > app.filed_at
    assert Attendee.objects.filter(application=app, person__isnull=False).count() == 5


def test_the_village_approves_a_small_meeting_and_it_is_approved(approvers, hall, city):
    app = _meeting(approvers.village, hall, make_people(city.xgz, 3))
    approvals.decide(approvers.village, app.stages.get(), approve=True)
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    assert AuditEvent.objects.filter(action="application.approve", object_id=str(app.pk)).exists()


def test_another_region_may_not_decide_a_stage(approvers, hall, city):
    app = _meeting(approvers.village, hall, make_people(city.xgz, 3))
    with pytest.raises(PermissionDenied):
        approvals.decide(approvers.changan, app.stages.get(), approve=True)
    with pytest.raises(PermissionDenied):
        approvals.decide(approvers.township, app.stages.get(), approve=True)


def test_a_meeting_in_a_high_risk_area_is_recorded_refused_with_the_reason(approvers, hall, city):
    area_in_force(city.zengcun, "high")
    app = _meeting(approvers.village, hall, make_people(city.xgz, 3))
    assert app.status == Application.Status.REFUSED
    assert "High risk" in app.refusal_reason
    assert not app.stages.exists()


def test_going_abroad_is_approved_stage_by_stage_and_not_out_of_order(
    approvers, units, gaocheng_person
):
    app = applications.file_abroad(
        approvers.employer,
        document=gaocheng_person.id_number,
        purpose="学术会议",
        destination="新加坡",
        starts_at=soon(10),
        ends_at=soon(20),
    )
    unit, foreign, police = app.stages.all()
    assert [s.approver for s in (unit, foreign, police)] == [
        "unit",
        "foreign_affairs",
        "public_security",
    ]
    assert (foreign.unit, police.unit) == (units.foreign, units.police)
    with pytest.raises(ValidationError) as refused:
        approvals.decide(approvers.police, police, approve=True)
    assert "earlier stage" in str(refused.value.message_dict["stage"])
    approvals.decide(approvers.employer, unit, approve=True)
    foreign.refresh_from_db()
    assert foreign.state == S.CURRENT and foreign.due_at is not None
    with pytest.raises(ValidationError):
        approvals.decide(approvers.employer, unit, approve=True)  # decided already
    approvals.decide(approvers.foreign, foreign, approve=False, note="目的地疫情严重")
    app.refresh_from_db()
    assert (app.status, app.refusal_reason) == (Application.Status.REFUSED, "目的地疫情严重")


def test_a_refusal_needs_a_reason(approvers, hall, city):
    app = _meeting(approvers.village, hall, make_people(city.xgz, 2))
    with pytest.raises(ValidationError) as refused:
        approvals.decide(approvers.village, app.stages.get(), approve=False)
    assert "note" in refused.value.message_dict


def test_bad_input_is_refused_by_field_and_nothing_is_written(approvers, hall, city):
    people = make_people(city.xgz, 3)
    rows = attendee_rows(people)
    rows[1]["id_number"] = rows[1]["id_number"][:17] + (
        "0" if rows[1]["id_number"][17] != "0" else "1"
    )
    with pytest.raises(ValidationError) as refused:
        _meeting(
            approvers.village,
            hall,
            people,
            headcount=5000,
            starts_at=soon(-1),
            attendees=rows,
        )
    errors = refused.value.message_dict
    assert set(errors) >= {"headcount", "starts_at", "attendees[1].id_number"}
    assert "above the largest tier" in errors["headcount"][0]
    assert "past" in errors["starts_at"][0]
    assert not Application.objects.exists() and not Attendee.objects.exists()


def test_more_attendees_than_the_headcount_are_refused(approvers, hall, city):
    with pytest.raises(ValidationError) as refused:
        _meeting(approvers.village, hall, make_people(city.xgz, 4), headcount=3)
    assert "attendees" in refused.value.message_dict


def test_a_county_office_of_another_county_may_not_file_there(approvers, hall, city):
    with pytest.raises(PermissionDenied):
        _meeting(approvers.changan, hall, make_people(city.xgz, 2))


def test_overdue_stages_show_in_the_approvers_queue(approvers, hall, city):
    from epicommand.gatherings import queries

    app = _meeting(approvers.village, hall, make_people(city.xgz, 2))
    stage = app.stages.get()
    Stage.objects.filter(pk=stage.pk).update(due_at=stage.due_at - timedelta(days=3))
    stage.refresh_from_db()
    assert stage.is_overdue()
    assert queries.queue_for(approvers.village, overdue_only=True) == [stage]
    assert queries.queue_for(approvers.township) == []
