"""An export is audited before its first byte: a client that reads only the first chunk
of a streamed export (and disconnects) still leaves the audit event, with the number of
rows it was about to receive."""

import pytest

from epicommand.core.models import AuditEvent
from epicommand.tracing.services import referrals
from tests.conftest import login
from tests.tracing.referrals_world import SENT_AT, referral_world


def first_chunk_only(response) -> bytes:
    assert response.status_code == 200
    # The client reads one chunk and goes away. (Closing the response here would end the
    # request as a server does, closing the database connection that holds the test's
    # transaction; the test client closes it safely when the stream is dropped.)
    return next(iter(response.streaming_content))


@pytest.mark.parametrize("path", ["/persons/export.csv", "/api/v1/persons/export.csv"])
def test_reading_the_first_chunk_of_the_person_export_leaves_an_audit_event(
    path, gaocheng_epi, gaocheng_person
):
    first_chunk_only(login(gaocheng_epi).get(path))
    event = AuditEvent.objects.get(action="person.export")
    assert (event.actor, event.reason) == (gaocheng_epi, "1 rows as csv")


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("/referrals/export.csv", "csv"),
        ("/api/v1/referrals/export.csv", "csv"),
        ("/api/v1/referrals/export.json", "json"),
    ],
)
def test_reading_the_first_chunk_of_the_referral_export_leaves_an_audit_event(world, path, fmt):
    referrals.refer_outside(
        world.gaocheng_epi,
        world.case,
        name="赵强",
        destination_code="110105",
        degree="close",
        last_exposure_at=SENT_AT,
        now=SENT_AT,
    )
    first_chunk_only(login(world.gaocheng_epi).get(path))
    event = AuditEvent.objects.get(action="referral.export")
    assert event.reason == f"1 rows as {fmt}"
