"""Staff in key positions are tested at their position's interval: due, they go on the
priority-testing list; a test taken moves their next due time; still untested past the
grace, the overdue test is a health-code fact (yellow), ended by the test."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.control.models import HealthFact
from epicommand.control.services import healthcode
from epicommand.prevention.models import KeyStaff
from epicommand.prevention.services import staff
from epicommand.testing.models import PriorityTest
from epicommand.testing.services.priority_list import mark_sampled
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def porter(world, gaocheng_person):
    return staff.register_staff(
        world.gaocheng_office,
        world.market_unit,
        document=gaocheng_person.id_number,
        position="cold_chain",
    )


def test_a_registered_member_is_listed_for_a_priority_test_at_once(porter, gaocheng_person):
    assert staff.staff_round()["listed"] == 1
    entry = PriorityTest.objects.get(person=gaocheng_person)
    assert entry.reason == "key_staff"
    porter.refresh_from_db()
    assert porter.listed_key == entry.source_key
    assert staff.staff_round()["listed"] == 0  # listed once


def test_a_test_taken_moves_the_next_due_time_by_the_position_interval(porter, gaocheng_person):
    now = timezone.now()
    staff.staff_round(now)
    sampled = now + timedelta(hours=3)
    mark_sampled([gaocheng_person.pk], sampled)

    assert staff.staff_round(now + timedelta(hours=4))["tested"] == 1

    porter.refresh_from_db()
    assert porter.last_tested_at == sampled
    assert porter.next_due_at == sampled + timedelta(days=7)  # cold chain: every 7 days
    assert porter.listed_at is None
    assert staff.staff_round(sampled + timedelta(days=7, minutes=1))["listed"] == 1


def test_an_overdue_test_becomes_a_health_code_fact_ended_by_the_test(porter, gaocheng_person):
    now = timezone.now()
    staff.staff_round(now)
    assert staff.staff_round(now + timedelta(hours=47))["overdue"] == 0
    late = now + timedelta(hours=49)
    assert staff.staff_round(late)["overdue"] == 1
    assert staff.staff_round(late + timedelta(minutes=5))["overdue"] == 0  # once

    fact = HealthFact.objects.get(person=gaocheng_person, kind="overdue_test")
    assert fact.ended_at is None
    assert healthcode.colours_of([gaocheng_person.pk])[gaocheng_person.pk] == "yellow"

    mark_sampled([gaocheng_person.pk], late + timedelta(hours=1))
    staff.staff_round(late + timedelta(hours=2))
    fact.refresh_from_db()
    assert fact.ended_at is not None
    assert healthcode.colours_of([gaocheng_person.pk])[gaocheng_person.pk] == "green"
    porter.refresh_from_db()
    assert porter.overdue_since is None


def test_registering_names_a_bad_document_and_position_and_stays_in_the_county(
    world, gaocheng_person, changan_person
):
    with pytest.raises(ValidationError) as refused:
        staff.register_staff(
            world.gaocheng_office, world.market_unit, document=changan_person.id_number,
            position="astronaut",
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"document", "position"}
    with pytest.raises(PermissionDenied):
        staff.register_staff(
            world.changan_office, world.market_unit, document=changan_person.id_number,
            position="market",
        )  # fmt: skip
    assert not KeyStaff.objects.exists()


def test_the_staff_page_masks_names_and_keeps_to_the_county(porter, world):
    page = login(world.gaocheng_office).get("/prevention/staff/").content.decode()
    assert "张*" in page and "张伟" not in page
    other = login(world.changan_office).get("/prevention/staff/").content.decode()
    assert "张*" not in other
    unit_page = login(world.changan_office).get(f"/prevention/staff/?unit={world.market_unit.pk}")
    assert unit_page.status_code == 404


def test_the_unit_page_registers_staff(world, gaocheng_person):
    client = login(world.gaocheng_office)
    url = f"/prevention/staff/?unit={world.market_unit.pk}"
    done = client.post(url, {"document": gaocheng_person.id_number, "position": "market"})
    assert done.status_code == 302
    assert KeyStaff.objects.get().position == "market"
