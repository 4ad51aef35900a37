"""The conditions of an approval, checked against the testing module's results and the
venue's place-code scans; a case among the attendees brings them to tracing as candidates."""

from datetime import timedelta
from itertools import count

import pytest
from django.core.exceptions import ValidationError

from epicommand.control.models import Scan
from epicommand.gatherings import queries
from epicommand.gatherings.services import applications, contacts
from epicommand.testing.barcodes import tube_barcode
from epicommand.testing.models import Sample, Tube
from epicommand.tracing.models import Candidate, Case, DetectionRoute

from .world import attendee_rows, make_people, soon

pytestmark = pytest.mark.django_db
_serials = count(81_000_000)


def _sample(person, at, status=Sample.Status.NEGATIVE):
    tube = Tube.objects.create(
        barcode=tube_barcode(next(_serials)),
        purpose=Tube.Purpose.PRIORITY,
        region_id=person.region_id,
        capacity=1,
        members=1,
        status=Tube.Status.RESULTED,
        opened_at=at,
        closed_at=at,
    )
    return Sample.objects.create(
        client_id=f"g-{tube.barcode}",
        person=person,
        region_id=person.region_id,
        tube=tube,
        sampled_at=at,
        status=status,
        resulted_at=at + timedelta(hours=6),
    )


@pytest.fixture
def meeting(approvers, hall, city):
    people = make_people(city.xgz, 4)
    start = soon()
    app = applications.file_meeting(
        approvers.village,
        organizer="村委会",
        purpose="村民代表会议",
        venue=hall,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        headcount=4,
        attendees=attendee_rows(people),
    )
    return app, people


def test_the_check_lists_who_lacks_the_test_before_or_after(meeting):
    app, (a, b, c, d) = meeting
    _sample(a, app.starts_at - timedelta(hours=20))  # in time
    _sample(a, app.ends_at + timedelta(days=2))
    _sample(b, app.starts_at - timedelta(hours=60))  # too early
    _sample(c, app.starts_at - timedelta(hours=5), Sample.Status.AWAITING)  # no result yet
    _sample(d, app.starts_at - timedelta(hours=1))
    _sample(d, app.ends_at + timedelta(days=4))  # too late
    rows = {row.attendee.person_id: row for row in queries.attendee_check(app)}
    assert rows[a.pk].missing == []
    assert rows[b.pk].missing == ["negative test before", "test after"]
    assert rows[c.pk].missing == ["negative test before", "test after"]
    assert rows[d.pk].missing == ["test after"]


def test_attendance_is_read_from_the_venues_place_code_scans(meeting, hall):
    app, (a, b, *_rest) = meeting
    Scan.objects.create(
        client_id="g-1",
        person=a,
        venue=hall,
        region_id=a.region_id,
        scanned_at=app.starts_at + timedelta(minutes=5),
        colour="green",
        method="self",
    )
    rows = {row.attendee.person_id: row for row in queries.attendee_check(app)}
    assert rows[a.pk].attended_at == app.starts_at + timedelta(minutes=5)
    assert rows[b.pk].attended_at is None


def test_a_case_among_the_attendees_makes_the_others_candidate_contacts(meeting, gaocheng_epi):
    app, (a, b, c, d) = meeting
    case = Case.objects.create(
        person=a,
        region_id=a.region_id,
        classification="mild",
        detection_route=DetectionRoute.values[0],
        reported_at=app.ends_at + timedelta(days=1),
    )
    written = contacts.attendees_to_candidates(gaocheng_epi, app)
    assert written == {case.pk: 3}
    found = Candidate.objects.filter(case=case)
    assert set(found.values_list("person_id", flat=True)) == {b.pk, c.pk, d.pk}
    assert {c.venue_id for c in found} == {app.venue_id}
    # Done twice, nothing doubles.
    contacts.attendees_to_candidates(gaocheng_epi, app)
    assert Candidate.objects.filter(case=case).count() == 3


def test_without_a_case_among_them_nothing_is_named(meeting, gaocheng_epi):
    app, _people = meeting
    with pytest.raises(ValidationError):
        contacts.attendees_to_candidates(gaocheng_epi, app)
