"""A lab's positive single tubes become suspected cases together: one query per kind of
row whatever their number, each case with everything `register_case` writes, and their
investigation (trajectory, contacts, cluster) after the batch commits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epicommand.control.models import Colour, FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent, FollowUp
from epicommand.people.models import Household
from epicommand.testing.models import PriorityTest, Tube
from epicommand.testing.services.results import record_results
from epicommand.tracing.models import Case, ClassificationChange, Contact
from tests.followups import committed

from .labs_world import *  # noqa: F403
from .labs_world import closed_tubes, residents, row

pytestmark = pytest.mark.django_db


def singles(site, lab, persons):
    return closed_tubes(site, persons, size=1, status=Tube.Status.RECEIVED, lab=lab)


def resulted(staff, lab, tubes) -> int:
    """The queries of one result batch of these tubes, all positive."""
    with CaptureQueriesContext(connection) as queries:
        batch = record_results(staff, lab, [row(t, "positive") for t in tubes])
    assert batch.figures["cases"] == len(tubes)
    return len(queries)


def test_the_queries_do_not_grow_with_the_number_of_cases(
    city, zengcun_site, gaocheng_lab, gaocheng_lab_staff
):
    persons = residents(city.xgz, 9)
    site, lab, staff = zengcun_site, gaocheng_lab, gaocheng_lab_staff
    resulted(staff, lab, singles(site, lab, persons[:1]))  # the day's counter rows exist now
    few = resulted(staff, lab, singles(site, lab, persons[1:3]))
    many = resulted(staff, lab, singles(site, lab, persons[3:]))
    assert many == few


def test_each_case_gets_what_a_registration_writes_and_its_follow_up_after_commit(
    city, zengcun_site, gaocheng_lab, gaocheng_lab_staff
):
    persons = residents(city.xgz, 3)
    home = Household.objects.create(address="小果庄村 3 号", region=city.xgz)
    for person in persons:
        person.household = home
        person.save()
    tubes = singles(zengcun_site, gaocheng_lab, persons[:2])
    with committed():
        record_results(gaocheng_lab_staff, gaocheng_lab, [row(t, "positive") for t in tubes])
        assert not Contact.objects.exists()  # the investigation waits for the commit
    made = list(Case.objects.order_by("pk"))
    assert [c.person_id for c in made] == [p.pk for p in persons[:2]]
    for case in made:
        assert (case.classification, case.episode) == ("suspected", 1)
        assert case.transfer_ordered_at == case.reported_at
        assert ClassificationChange.objects.filter(case=case).count() == 1
        assert HealthFact.objects.filter(kind=FactKind.CASE, source_key=f"case:{case.pk}").exists()
        assert healthcode.current(case.person).colour == Colour.RED
        assert PriorityTest.objects.filter(source_key=f"case:{case.pk}").exists()
        actions = set(
            AuditEvent.objects.filter(
                object_id=str(case.pk), object_type="tracing.case"
            ).values_list("action", flat=True)
        )
        assert actions == {"case.register", "case.transfer_ordered"}
        followup = FollowUp.objects.get(subject=f"tracing.case:{case.pk}")
        assert followup.state == "done"
    # The third member of the household is a close contact of both cases.
    assert Contact.objects.filter(person=persons[2], degree="close").count() == 2


def test_a_person_with_an_open_case_is_noted_not_registered_twice(
    city, zengcun_site, gaocheng_lab, gaocheng_lab_staff
):
    (person,) = residents(city.xgz, 1)
    first, second = singles(zengcun_site, gaocheng_lab, [person, person])
    batch = record_results(
        gaocheng_lab_staff, gaocheng_lab, [row(first, "positive"), row(second, "positive")]
    )
    assert batch.figures["cases"] == 1
    assert batch.figures["notes"] == [f"{person.name} is already a case: no new case"]
    assert Case.objects.filter(person=person).count() == 1
