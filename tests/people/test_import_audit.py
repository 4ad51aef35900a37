"""An import is one audited act, not a million (DESIGN rule 2)."""

from epicommand.core.models import AuditEvent

from .import_files import import_file, person_row, write_csv


def test_an_import_writes_exactly_one_audit_event_with_count_and_filename(tmp_path, city_office):
    rows = [person_row(n) for n in range(25)]

    import_file(write_csv(tmp_path / "xgz-residents.csv", rows), city_office)

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type) == (
        "person.import",
        city_office,
        "people.person",
    )
    assert event.reason == "25 persons from xgz-residents.csv"
    assert event.region_id == city_office.scope_region_id


def test_a_refused_import_writes_no_audit_event(tmp_path, city_office):
    rows = [person_row(0, sex="X")]

    import_file(write_csv(tmp_path / "persons.csv", rows), city_office)

    assert not AuditEvent.objects.exists()


def test_two_imports_write_two_events(tmp_path, city_office):
    import_file(write_csv(tmp_path / "a.csv", [person_row(0)]), city_office)
    import_file(write_csv(tmp_path / "b.csv", [person_row(1)]), city_office)

    assert list(AuditEvent.objects.order_by("id").values_list("reason", flat=True)) == [
        "1 persons from a.csv",
        "1 persons from b.csv",
    ]
