"""`epicommand check-consistency` lists the persons whose records disagree and the figures
that differ from a recount, and says so in its exit status."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from epicommand.control.models import FactKind, HealthFact
from epicommand.core import counters
from epicommand.core.recount import recount
from epicommand.quarantine.services import stays
from tests.consistency import assert_consistent
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db


def resident(city):
    """A person made by hand, counted as the seed counts its residents."""
    person = make_person(city.xgz)
    recount()
    return person


def run() -> str:
    from io import StringIO

    out = StringIO()
    call_command("check_consistency", stdout=out)
    return out.getvalue()


def test_a_consistent_city_says_so(site_manager, camp, city):
    stays.assign_stay(site_manager, resident(city), reason="close_contact", site=camp)
    assert_consistent()
    assert "Consistent" in run()


def test_a_stay_whose_fact_was_ended_behind_its_back_is_listed(site_manager, camp, city):
    person = resident(city)
    stay = stays.assign_stay(site_manager, person, reason="close_contact", site=camp)
    HealthFact.objects.filter(person=person).update(ended_at=timezone.now())
    with pytest.raises(CommandError) as failed:
        run()
    assert "1 person(s) and 0 figure(s) disagree" in str(failed.value)
    from epicommand.core.consistency import check

    assert check().persons[person.pk] == [
        # The code is still red, and no open fact says why.
        "code red, but the open facts give green",
        f"stay {stay.pk} is in_transfer without its open centralized_quarantine",
    ]


def test_a_figure_that_differs_from_its_recount_is_listed(site_manager, camp, city):
    stays.assign_stay(site_manager, resident(city), reason="close_contact", site=camp)
    counters.bump("stays_in_site", city.xgz.code, 2)
    from epicommand.core.consistency import check

    figures = [str(f) for f in check().figures]
    assert figures and all(f.startswith("stays_in_site 1301") for f in figures)
    assert "shows 3, a recount gives 1" in figures[0]


def test_a_released_contact_with_an_open_fact_is_listed(site_manager, camp, city):
    person = resident(city)
    HealthFact.objects.create(
        person=person,
        region_id=person.region_id,
        kind=FactKind.POSITIVE_POOL,
        started_at=timezone.now() - timedelta(hours=1),
        source="positive pool 1",
        source_key="sample:999",
    )
    from epicommand.core.consistency import check

    assert check().persons[person.pk] == ["a positive-pool fact is open without a waiting recall"]


def test_a_colour_whose_record_has_ended_is_listed(gaocheng_epi, city):
    """A case closed behind the services' back leaves its fact open: the person is red
    for a case that is over."""
    from epicommand.core.consistency import check
    from epicommand.tracing.models import Case
    from epicommand.tracing.services import cases

    person = resident(city)
    case = cases.register_case(
        gaocheng_epi,
        person,
        classification="mild",
        detection_route="mass_testing",
        sampling_date=timezone.localdate(),
    )
    assert person.pk not in check().persons
    Case.objects.filter(pk=case.pk).update(outcome="recovered", outcome_at=timezone.now())
    assert check().persons[person.pk] == [
        f"case fact case:{case.pk} is open, but its record has ended"
    ]
