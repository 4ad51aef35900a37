"""The database cache's table (settings.CACHES), made by `migrate` like every other table,
so a fresh install needs no separate `createcachetable`."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0010_port_staff_role")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
