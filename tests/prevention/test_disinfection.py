"""Terminal disinfection: every place on a positive case's trajectory and its home become
tasks for the county's CDC (once each, as the trajectory grows), closed with a photo;
disinfection of public places and routes is recorded."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.prevention.models import DisinfectionRecord, DisinfectionTask
from epicommand.prevention.services import disinfection
from epicommand.tracing.models import Classification, DetectionRoute
from epicommand.tracing.services import trajectory
from epicommand.tracing.services.cases import register_case

from .world import PDF, photo, venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(gaocheng_epi, gaocheng_person, world):
    now = timezone.now()
    case = register_case(
        gaocheng_epi,
        gaocheng_person,
        classification=Classification.MILD,
        detection_route=DetectionRoute.FEVER_CLINIC,
        onset_date=date.today() - timedelta(days=1),
        now=now,
    )
    trajectory.add_visit(
        gaocheng_epi,
        case,
        venue=world.market,
        started_at=now - timedelta(days=1, hours=3),
        ended_at=now - timedelta(days=1, hours=2),
        now=now,
    )
    return case


def test_each_place_and_the_home_of_a_case_become_one_task_each(case, world, city):
    assert disinfection.raise_terminal_disinfection() == 2
    assert disinfection.raise_terminal_disinfection() == 0  # the next round adds nothing

    tasks = {t.source_key: t for t in DisinfectionTask.objects.all()}
    assert set(tasks) == {f"case:{case.pk}:home", f"case:{case.pk}:venue:{world.market.pk}"}
    market = tasks[f"case:{case.pk}:venue:{world.market.pk}"]
    assert market.assignee == city.gaocheng_cdc
    assert market.region_id == world.market.region_id
    assert "小果庄村 12 号" in tasks[f"case:{case.pk}:home"].target


def test_a_place_added_to_the_trajectory_later_gets_its_task(case, world, gaocheng_epi, city):
    disinfection.raise_terminal_disinfection()
    shop = venue("增村超市", "supermarket", city.zengcun)
    now = timezone.now()
    trajectory.add_visit(
        gaocheng_epi,
        case,
        venue=shop,
        started_at=now - timedelta(hours=20),
        ended_at=now - timedelta(hours=19),
    )
    assert disinfection.raise_terminal_disinfection() == 1


def test_the_cdc_closes_a_task_with_a_photo_and_a_pdf_is_refused(case, gaocheng_epi):
    disinfection.raise_terminal_disinfection()
    task = DisinfectionTask.objects.filter(venue__isnull=False).get()
    with pytest.raises(ValidationError) as refused:
        disinfection.close_task(
            gaocheng_epi, task, agent="含氯消毒剂", evidence=photo("x.jpg", "JPEG", content=PDF)
        )
    assert "evidence" in refused.value.message_dict
    task.refresh_from_db()
    assert task.status == "open"

    disinfection.close_task(gaocheng_epi, task, agent="含氯消毒剂", evidence=photo("d.png"))

    task.refresh_from_db()
    assert task.status == "done"
    assert task.record.kind == "terminal" and task.evidence.name.endswith(".png")
    with pytest.raises(ValidationError):
        disinfection.close_task(gaocheng_epi, task, agent="x", evidence=photo("d.png"))


def test_another_county_may_not_close_the_task(case, changan_epi):
    disinfection.raise_terminal_disinfection()
    task = DisinfectionTask.objects.first()
    with pytest.raises(PermissionDenied):
        disinfection.close_task(changan_epi, task, agent="x", evidence=photo())


def test_a_route_is_recorded_and_a_bad_record_names_its_fields(world, gaocheng_epi, city):
    record = disinfection.record_disinfection(
        gaocheng_epi,
        kind="route",
        region_code=city.zengcun.code,
        target="12 路公交",
        agent="过氧乙酸",
    )
    assert record.region_id == city.zengcun.code
    with pytest.raises(ValidationError) as refused:
        disinfection.record_disinfection(
            gaocheng_epi,
            kind="moon",
            region_code=city.community.code,
            target="",
            agent="",
            done_at=timezone.now() + timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"kind", "region_code", "target", "agent", "done_at"}
    assert DisinfectionRecord.objects.count() == 1
