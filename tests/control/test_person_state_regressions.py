"""What the random stories of a person's state found (test_person_state_fuzz.py), each as
the plain story that shows it: a case named as a contact of another case is not a contact
waiting for control, and a person sent to hospital from a quarantine site is green again
once their case is closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.quarantine.models import StayTest
from epicommand.quarantine.services import monitoring, stays
from epicommand.testing.models import PriorityTest
from epicommand.tracing.models import Contact
from epicommand.tracing.services import cases
from tests.consistency import assert_consistent
from tests.followups import committed
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    site_manager_fixture,
)

from .person_state_world import story_city_fixture  # noqa: F401  fixture

pytestmark = pytest.mark.django_db


def register(epi, person):
    with committed():
        return cases.register_case(
            epi,
            person,
            classification="mild",
            detection_route="mass_testing",
            sampling_date=timezone.localdate(),
        )


def test_a_case_named_a_household_contact_of_another_case_is_under_control_at_once(story_city):
    """Two cases in one household: the second case's investigation names the first as a
    close contact, who is a case already (under control, not on the priority list)."""
    epi, husband, wife = story_city["epi"], *story_city["people"][4:6]
    register(epi, wife)
    second = register(epi, husband)
    contact = Contact.objects.get(case=second, person=wife)
    assert contact.status == Contact.Status.CONTROLLED
    assert contact.controlled_at == contact.identified_at
    assert not PriorityTest.objects.filter(person=wife, sampled_at__isnull=True).exclude(
        reason=PriorityTest.Reason.SUSPECTED_CASE
    )
    assert_consistent()


def test_a_person_sent_to_hospital_from_a_site_is_green_once_the_case_is_closed(story_city):
    """A positive required test sends the person to hospital (a case fact of the stay);
    their case is registered and closed: no case fact is left open, the code is green."""
    staff, person = story_city["staff"], story_city["people"][0]
    started = timezone.now() - timedelta(hours=1)
    with committed():
        stay = stays.assign_stay(
            staff,
            person,
            reason="close_contact",
            site=story_city["camp"],
            started_at=started,
            arrived_at=started,
        )
        first = StayTest.objects.filter(stay=stay).order_by("due_on").first()
        monitoring.record_test_result(first, "positive", reagent="B", actor=staff)
    case = register(story_city["epi"], person)
    with committed():
        cases.record_outcome(story_city["epi"], case, "recovered")
    assert healthcode.current(person).colour == Colour.GREEN
    assert not HealthFact.objects.filter(
        person=person, kind=FactKind.CASE, ended_at__isnull=True
    ).exists()
    assert_consistent()
