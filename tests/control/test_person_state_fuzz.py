"""A person's state under random stories (issue 14): random sequences of the modules'
actions on a small city (register a case, name a contact, admit to a site, record a stay's
test results, release to home monitoring, end home monitoring, discharge a case, declare
and lift a risk area) never leave a person red or yellow without an open fact whose record
still says why, and never leave a figure different from its recount
(`epicommand check-consistency` finds nothing after every step).

The rules call the real services as the pages do; a service's refusal (a ValidationError:
no free room, tests not yet negative) is a legitimate answer and the story goes on. Each
example runs in a savepoint rolled back at its end, so the next starts from the same city;
follow-ups run as after a commit (tests/followups.py). The plain regression tests of what
this found sit beside it (test_person_state_regressions.py, and
tests/tracing/test_contacts_named_under_control.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from epicommand.control.models import Colour, HealthCode, RiskArea
from epicommand.control.services import risk
from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, HouseholdControl, Stay, StayTest
from epicommand.quarantine.services import households, monitoring, releases, stays
from epicommand.tracing.models import Case, Outcome
from epicommand.tracing.services import cases, contacts
from tests.consistency import assert_consistent
from tests.followups import committed
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    site_manager_fixture,
)

from .person_state_world import facts_without_record, story_city_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
# Long enough ago that the site days and home days of the 8th edition's close-contact plan
# (14 + 7) are served, within the 30 days a stay may be entered late.
SERVED = timedelta(days=25)


def refused(action) -> bool:
    """Run a service call; its refusal with reasons is an answer, not a failure."""
    try:
        with transaction.atomic():
            action()
    except ValidationError:
        return True
    return False


def story_machine(world):
    people, epi, office, staff, camp = (
        world["people"],
        world["epi"],
        world["office"],
        world["staff"],
        world["camp"],
    )
    person_ix = st.integers(0, len(people) - 1)

    class Story(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each example in a savepoint of its own, rolled back at teardown.
            self.example = transaction.atomic()
            self.example.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.example.__exit__(None, None, None)

        # Helpers ----------------------------------------------------------------------------

        def open_case(self, n: int) -> Case | None:
            found = list(Case.objects.filter(outcome=Outcome.OPEN).order_by("pk"))
            return found[n % len(found)] if found else None

        def active_stay(self, i: int) -> Stay | None:
            return Stay.objects.filter(person=people[i], status__in=ACTIVE_STAY_STATUSES).first()

        # Rules -------------------------------------------------------------------------------

        @rule(i=person_ix, suspected=st.booleans())
        def register_case(self, i, suspected):
            with committed():
                refused(
                    lambda: cases.register_case(
                        epi,
                        people[i],
                        classification="suspected" if suspected else "mild",
                        detection_route="mass_testing",
                        sampling_date=timezone.localdate(),
                    )
                )

        @rule(n=st.integers(0, 3), i=person_ix)
        def add_contact(self, n, i):
            case = self.open_case(n)
            if case is None or case.person_id == people[i].pk:
                return
            with committed():
                refused(
                    lambda: contacts.add_contact(
                        epi,
                        case,
                        people[i],
                        degree="close",
                        setting="meal",
                        last_exposure_at=timezone.now() - timedelta(hours=2),
                    )
                )

        @rule(i=person_ix, served=st.booleans())
        def assign_stay(self, i, served):
            started = timezone.now() - (SERVED if served else timedelta(hours=1))
            with committed():
                refused(
                    lambda: stays.assign_stay(
                        staff,
                        people[i],
                        reason="close_contact",
                        site=camp,
                        started_at=started,
                        arrived_at=started + timedelta(minutes=30),
                    )
                )

        @rule(i=person_ix)
        def record_negative_results(self, i):
            stay = self.active_stay(i)
            if stay is None:
                return
            reagents = {StayTest.Phase.SITE: "A", StayTest.Phase.RELEASE: "B"}
            pending = StayTest.objects.filter(stay=stay, result=StayTest.Result.PENDING)
            for test in pending.order_by("due_on", "phase"):
                with committed():
                    refused(
                        lambda test=test: monitoring.record_test_result(
                            test, "negative", reagent=reagents.get(test.phase, "A"), actor=staff
                        )
                    )

        @rule(i=person_ix)
        def record_positive_result(self, i):
            stay = self.active_stay(i)
            test = stay and StayTest.objects.filter(stay=stay, result="pending").first()
            if test:
                with committed():
                    refused(
                        lambda: monitoring.record_test_result(
                            test, "positive", reagent="B", actor=staff
                        )
                    )

        @rule(i=person_ix)
        def release_from_site(self, i):
            stay = self.active_stay(i)
            if stay is not None:
                with committed():
                    refused(lambda: releases.release_from_site(staff, stay))

        @rule(i=person_ix)
        def end_home_monitoring(self, i):
            stay = self.active_stay(i)
            if stay is not None:
                with committed():
                    refused(lambda: releases.end_home_monitoring(staff, stay))

        @rule(n=st.integers(0, 3), outcome=st.sampled_from(["recovered", "ruled_out"]))
        def close_case(self, n, outcome):
            case = self.open_case(n)
            if case is not None:
                with committed():
                    refused(lambda: cases.record_outcome(epi, case, outcome))

        @rule(h=st.integers(0, 3))
        def keep_household_at_home(self, h):
            with committed():
                refused(
                    lambda: households.put_under_home_quarantine(
                        world["worker"],
                        world["homes"][h],
                        reason="同住人为密接者",
                        ends_on=timezone.localdate() + timedelta(days=7),
                    )
                )

        @rule(h=st.integers(0, 3))
        def end_household_control(self, h):
            control = HouseholdControl.objects.filter(
                household=world["homes"][h], ended_at__isnull=True
            ).first()
            if control is not None:
                with committed():
                    refused(
                        lambda: households.end_household_control(
                            world["worker"], control, reason="期满"
                        )
                    )

        @rule(r=st.integers(0, 2), level=st.sampled_from(["high", "medium"]))
        def declare_risk_area(self, r, level):
            with committed():
                refused(
                    lambda: risk.designate(
                        office,
                        level=level,
                        regions=[world["regions"][r]],
                        reason="确诊病例住址",
                        confirm=True,
                    )
                )

        @rule(n=st.integers(0, 3))
        def lift_risk_area(self, n):
            in_force = list(RiskArea.objects.filter(status="in_force").order_by("pk"))
            if in_force:
                area = in_force[n % len(in_force)]
                with committed():
                    refused(lambda: risk.lift(office, area, reason="解除"))

        # What every step keeps --------------------------------------------------------------

        @invariant()
        def every_colour_has_a_reason_still_true(self):
            coloured = set(
                HealthCode.objects.exclude(colour=Colour.GREEN).values_list("person_id", flat=True)
            )
            stale = {pid: why for pid, why in facts_without_record().items() if pid in coloured}
            assert not stale, stale

        @invariant()
        def check_consistency_finds_nothing(self):
            assert_consistent()

    return Story


def test_random_stories_leave_every_colour_explained_and_every_figure_recounted(story_city):
    run_state_machine_as_test(
        story_machine(story_city),
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
