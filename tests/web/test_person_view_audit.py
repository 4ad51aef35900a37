"""DESIGN rule 2: opening a person's full record writes one audit event naming who."""

from epicommand.core.models import AuditEvent
from tests.conftest import login


def test_viewing_a_detail_page_writes_exactly_one_person_view_event(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get(f"/persons/{gaocheng_person.pk}/")
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(action="person.view"))
    assert len(events) == 1
    event = events[0]
    assert (event.actor, event.actor_name) == (gaocheng_epi, "gaocheng_epi")
    assert (event.object_type, event.object_id) == ("people.person", str(gaocheng_person.pk))
    assert event.region_id == gaocheng_person.region_id
    assert event.reason == "web"


def test_each_view_is_one_more_event(gaocheng_epi, gaocheng_person):
    client = login(gaocheng_epi)
    client.get(f"/persons/{gaocheng_person.pk}/")
    client.get(f"/persons/{gaocheng_person.pk}/")
    assert AuditEvent.objects.filter(action="person.view").count() == 2


def test_a_refused_view_writes_no_view_event(gaocheng_epi, changan_person):
    login(gaocheng_epi).get(f"/persons/{changan_person.pk}/")
    assert not AuditEvent.objects.filter(action="person.view").exists()


def test_the_detail_page_is_not_cached(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get(f"/persons/{gaocheng_person.pk}/")
    assert "no-store" in response["Cache-Control"]


def test_an_export_is_audited_once_with_its_row_count(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get("/persons/export.csv")
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="person.export")
    assert event.actor == gaocheng_epi
    assert event.reason.startswith("1 rows as csv")


def test_opening_the_edit_form_is_audited_as_a_view_too(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get(f"/persons/{gaocheng_person.pk}/edit/")
    assert gaocheng_person.id_number in response.content.decode()
    event = AuditEvent.objects.get(action="person.view")
    assert (event.actor, event.reason) == (gaocheng_epi, "web edit form")


def test_the_masked_list_writes_no_view_event(gaocheng_epi, gaocheng_person):
    login(gaocheng_epi).get("/persons/")
    assert not AuditEvent.objects.filter(action="person.view").exists()
