"""The audit log can be neither truncated (PostgreSQL) nor deleted from (SQLite)."""

from django.db import migrations

from epicommand.core import audit_guard


def up(apps, schema_editor):
    audit_guard.install(schema_editor.connection)


def down(apps, schema_editor):
    audit_guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0012_edition_choice")]
    operations = [migrations.RunPython(up, down)]
