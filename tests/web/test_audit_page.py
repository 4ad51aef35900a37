"""The audit log page: only for audit.view roles, read-only, scoped to the reader's region."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core import audit
from epicommand.core.models import AuditEvent
from epicommand.web.audit_log import PAGE_SIZE
from tests.conftest import login


@pytest.fixture
def events(gaocheng_epi, changan_epi, gaocheng_person, changan_person):
    """One view in each county and one city-wide event without a region."""
    return {
        "gaocheng": audit.record(gaocheng_epi, "person.view", gaocheng_person, reason="web"),
        "changan": audit.record(changan_epi, "person.view", changan_person, reason="web"),
        "citywide": audit.record(None, "system.check", object_type="core.system"),
    }


def _listed(response):
    return [event.pk for event in response.context["events"]]


def test_roles_without_audit_view_get_403(gaocheng_epi, city_office):
    assert login(gaocheng_epi).get("/audit/").status_code == 403
    assert login(city_office).get("/audit/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(db, client):
    assert client.get("/audit/")["Location"].startswith("/login/")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_page_cannot_change_anything(supervisor, events, method):
    response = getattr(login(supervisor), method)("/audit/")
    assert response.status_code == 405
    assert AuditEvent.objects.count() == 3


def test_a_city_supervisor_sees_every_event_newest_first(supervisor, events):
    response = login(supervisor).get("/audit/")
    assert response.status_code == 200
    assert _listed(response) == [events["citywide"].pk, events["changan"].pk, events["gaocheng"].pk]


def test_a_county_supervisor_sees_only_the_county_and_no_citywide_events(
    gaocheng_supervisor, events
):
    assert _listed(login(gaocheng_supervisor).get("/audit/")) == [events["gaocheng"].pk]


def test_the_administrator_reads_the_log_too(administrator, events):
    assert login(administrator).get("/audit/").status_code == 200


def test_filters_by_actor_action_object_and_region(supervisor, events, changan_person):
    client = login(supervisor)
    assert _listed(client.get("/audit/", {"actor": "changan_epi"})) == [events["changan"].pk]
    assert _listed(client.get("/audit/", {"action": "system.check"})) == [events["citywide"].pk]
    by_object = client.get(
        "/audit/", {"object_type": "people.person", "object_id": str(changan_person.pk)}
    )
    assert _listed(by_object) == [events["changan"].pk]
    assert _listed(client.get("/audit/", {"region": "130109"})) == [events["gaocheng"].pk]


def test_a_region_filter_cannot_widen_a_county_supervisors_scope(gaocheng_supervisor, events):
    assert _listed(login(gaocheng_supervisor).get("/audit/", {"region": "1301"})) == [
        events["gaocheng"].pk
    ]


def test_filters_by_date_range_in_local_days(supervisor, events):
    today = timezone.localdate()
    client = login(supervisor)
    assert len(_listed(client.get("/audit/", {"date_from": today, "date_to": today}))) == 3
    yesterday = today - timedelta(days=1)
    assert _listed(client.get("/audit/", {"date_to": yesterday})) == []


def test_an_invalid_filter_shows_no_events_and_the_error(supervisor, events):
    response = login(supervisor).get("/audit/", {"date_from": "not-a-date"})
    assert _listed(response) == []
    assert "date_from" in response.context["form"].errors


def test_the_log_pages_by_key_keeping_the_filters(supervisor, gaocheng_epi, gaocheng_person):
    for _ in range(PAGE_SIZE + 2):
        audit.record(gaocheng_epi, "person.view", gaocheng_person)
    client = login(supervisor)
    first = client.get("/audit/", {"action": "person.view"})
    assert len(first.context["events"]) == PAGE_SIZE
    cursor = first.context["next_after"]
    assert f"action=person.view&amp;after={cursor}" in first.content.decode()
    second = client.get("/audit/", {"action": "person.view", "after": cursor})
    assert len(second.context["events"]) == 2
    assert max(_listed(second)) < min(_listed(first))
