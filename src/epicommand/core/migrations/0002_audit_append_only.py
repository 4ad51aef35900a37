"""The database itself refuses to rewrite the audit log, whatever code runs against it."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
POSTGRES_UP = """
CREATE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
# SQLite keeps DELETE open because the test runner empties tables with DELETE between
# browser tests (PostgreSQL uses TRUNCATE, which row triggers do not see).


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER core_auditevent_no_update")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent; "
                              "DROP FUNCTION core_auditevent_append_only()")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
