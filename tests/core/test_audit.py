import pytest
from django.db import DatabaseError, transaction

from epicommand.core.models import AuditEvent
from epicommand.people import services
from tests.conftest import login


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_creating_a_person_leaves_one_event_with_the_actor(gaocheng_epi, city):
    person = services.register_person(
        gaocheng_epi, name="王芳", id_number="130109199001011223", region_id=city.xgz.code
    )
    [event] = events("person.create")
    assert (event.actor, event.object_id, event.region_id) == (
        gaocheng_epi,
        str(person.pk),
        city.xgz.code,
    )


def test_changing_a_person_leaves_one_event_naming_the_changed_fields(
    gaocheng_epi, gaocheng_person
):
    services.update_person(gaocheng_epi, gaocheng_person, phone="13700000000")
    [event] = events("person.update")
    assert event.actor == gaocheng_epi
    assert "phone" in event.reason


def test_viewing_a_person_through_the_api_leaves_one_event(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get(f"/api/v1/persons/{gaocheng_person.pk}")
    assert response.json()["id_number"] == gaocheng_person.id_number
    [event] = events("person.view")
    assert (event.actor, event.object_id, event.reason) == (
        gaocheng_epi,
        str(gaocheng_person.pk),
        "api",
    )
    assert event.request_id == response["X-Request-ID"]


def test_an_unchanged_save_leaves_no_event(gaocheng_epi, gaocheng_person):
    services.update_person(gaocheng_epi, gaocheng_person, phone=gaocheng_person.phone)
    assert events("person.update") == []


def test_exporting_persons_leaves_one_event_with_the_count(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get("/api/v1/persons/export.csv")
    b"".join(response.streaming_content)
    [event] = events("person.export")
    assert event.reason.startswith("1 rows as csv")


def test_the_audit_log_cannot_be_changed_or_deleted(gaocheng_epi, gaocheng_person):
    services.update_person(gaocheng_epi, gaocheng_person, phone="13700000000")
    event = AuditEvent.objects.get()
    event.reason = "nothing happened"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_to_rewrite_the_audit_log(gaocheng_epi, gaocheng_person):
    services.update_person(gaocheng_epi, gaocheng_person, phone="13700000000")
    from django.db import connection

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET reason = 'rewritten'")
    assert AuditEvent.objects.get().reason != "rewritten"


# What each database offers to empty a table in one statement. (PostgreSQL first checks
# the foreign keys still deferred in the test's transaction, as a later transaction finds.)
EMPTY_THE_LOG = {
    "postgresql": "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE core_auditevent",
    "sqlite": "DELETE FROM core_auditevent",
}


def test_the_database_refuses_to_empty_the_audit_log(gaocheng_epi, gaocheng_person):
    from django.db import connection

    services.update_person(gaocheng_epi, gaocheng_person, phone="13700000000")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(EMPTY_THE_LOG[connection.vendor])
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flushing_a_test_database_empties_it_and_sets_the_guard_again(
    gaocheng_epi, gaocheng_person
):
    from django.core.management import call_command
    from django.db import connection

    services.update_person(gaocheng_epi, gaocheng_person, phone="13700000000")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            AuditEvent.objects.create(actor_name="x", action="x", object_type="x")
            cursor.execute(EMPTY_THE_LOG[connection.vendor])
