"""Accountability records: discipline inspection records inaction, slowness or disorder
against a unit (and the responsible person) and then its outcome; audited and scoped."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.command.models import AccountabilityRecord, ResponsiblePerson
from epicommand.command.services import chain as services
from epicommand.core.models import AuditEvent
from tests.command.report_setup import make_task
from tests.conftest import login

Kind, Outcome = AccountabilityRecord.Kind, AccountabilityRecord.Outcome


@pytest.fixture
def director(city):
    return ResponsiblePerson.objects.create(
        region=city.gaocheng, unit=city.gaocheng_cdc, duty="first", name="赵敏", post="主任"
    )


@pytest.fixture
def task(city_office, city):
    return make_task(city_office, city.gaocheng_cdc)


def test_a_supervisor_records_a_finding_pending_its_outcome(supervisor, city, task, director):
    record = services.record_accountability(
        supervisor,
        kind=Kind.SLOWNESS,
        unit=city.gaocheng_cdc,
        task=task,
        responsible=director,
        description="密接排查任务逾期 26 小时",
    )
    assert record.outcome == Outcome.PENDING
    assert record.region == city.gaocheng and record.recorded_by == supervisor
    assert AuditEvent.objects.get(action="accountability.record").object_id == str(record.pk)


def test_the_outcome_is_recorded_with_its_grounds_and_time(supervisor, city, director):
    record = services.record_accountability(
        supervisor, kind=Kind.INACTION, unit=city.gaocheng_cdc, description="未组织排查"
    )
    services.set_outcome(supervisor, record, Outcome.ADMONISHED, "约谈主任，限期整改")
    record.refresh_from_db()
    assert record.outcome == Outcome.ADMONISHED and record.outcome_at is not None
    assert record.outcome_text == "约谈主任，限期整改"
    event = AuditEvent.objects.get(action="accountability.outcome")
    assert event.reason == "pending -> admonished"


def test_an_outcome_needs_a_decision_and_its_grounds(supervisor, city):
    record = services.record_accountability(
        supervisor, kind=Kind.DISORDER, unit=city.gaocheng_cdc, description="转运混乱"
    )
    with pytest.raises(ValidationError) as refused:
        services.set_outcome(supervisor, record, Outcome.PENDING, "")
    assert set(refused.value.message_dict) == {"outcome", "outcome_text"}


def test_the_responsible_person_must_be_on_the_units_chain_or_above(supervisor, city, director):
    changan_head = ResponsiblePerson.objects.create(
        region=city.changan, duty="first", name="周华", post="长安区委书记"
    )
    with pytest.raises(ValidationError) as refused:
        services.record_accountability(
            supervisor,
            kind=Kind.SLOWNESS,
            unit=city.gaocheng_cdc,
            responsible=changan_head,
            description="x",
        )
    assert "is not on the chain" in refused.value.message_dict["responsible"][0]
    city_head = ResponsiblePerson.objects.create(
        region=city.sjz, duty="first", name="李强", post="市委书记"
    )
    services.record_accountability(
        supervisor,
        kind=Kind.SLOWNESS,
        unit=city.gaocheng_cdc,
        responsible=city_head,
        description="统筹不力",
    )


def test_only_supervisors_keep_accountability_records(city_office, city, make_user):
    with pytest.raises(PermissionDenied):
        services.record_accountability(
            city_office, kind=Kind.INACTION, unit=city.gaocheng_cdc, description="x"
        )
    assert (
        login(city_office)
        .post("/supervision/accountability/new/", {"kind": "inaction"})
        .status_code
        == 403
    )


def test_a_county_supervisor_keeps_records_for_the_county_only(
    gaocheng_supervisor, supervisor, city
):
    services.record_accountability(
        gaocheng_supervisor, kind=Kind.INACTION, unit=city.gaocheng_cdc, description="x"
    )
    with pytest.raises(PermissionDenied):
        services.record_accountability(
            gaocheng_supervisor, kind=Kind.INACTION, unit=city.changan_cdc, description="x"
        )
    changan = services.record_accountability(
        supervisor, kind=Kind.INACTION, unit=city.changan_cdc, description="长安"
    )
    client = login(gaocheng_supervisor)
    listed = client.get("/supervision/accountability/").context["records"]
    assert [r.unit for r in listed] == [city.gaocheng_cdc]
    assert client.get(f"/supervision/accountability/{changan.pk}/").status_code == 404
    response = client.post(
        f"/supervision/accountability/{changan.pk}/",
        {"outcome": "no_fault", "outcome_text": "x"},
    )
    assert response.status_code == 404


def test_the_form_starts_from_a_task_with_whose_it_is(supervisor, task, director):
    page = login(supervisor).get("/supervision/accountability/new/", {"task": task.pk})
    form = page.context["form"]
    assert form.initial["unit"] == task.assignee_id
    assert form.initial["responsible"] == director.pk
    assert list(form.fields["responsible"].queryset) == [director]


def test_recording_and_deciding_on_the_pages(supervisor, city, task, director):
    client = login(supervisor)
    response = client.post(
        "/supervision/accountability/new/",
        {
            "kind": "slowness",
            "unit": city.gaocheng_cdc.pk,
            "responsible": director.pk,
            "task": task.pk,
            "description": "签收用时 30 小时",
        },
    )
    record = AccountabilityRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/accountability/{record.pk}/"
    assert (record.task, record.responsible) == (task, director)
    decided = client.post(
        response["Location"], {"outcome": "criticized", "outcome_text": "通报批评"}
    )
    assert decided.status_code == 302
    record.refresh_from_db()
    assert record.outcome == Outcome.CRITICIZED
    trail = client.get(f"/supervision/tasks/{task.pk}/")
    assert f"/supervision/accountability/{record.pk}/" in trail.content.decode()


def test_the_form_ignores_what_is_not_an_id(supervisor):
    client = login(supervisor)
    for params in ({"task": "abc"}, {"unit": "x"}, {"task": "-1", "unit": "99999999999999999999"}):
        page = client.get("/supervision/accountability/new/", params)
        assert page.status_code == 200
        assert "unit" not in page.context["form"].initial
