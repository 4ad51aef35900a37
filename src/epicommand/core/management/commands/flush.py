from django.core.management.commands import flush
from django.db import connections

from epicommand.core import audit_guard


class Command(flush.Command):
    help = (
        f"{flush.Command.help} The audit log's guard against emptying it is lifted for "
        "this and set again (core/audit_guard.py): for test and demo databases only."
    )

    def handle(self, **options):
        with audit_guard.lifted(connections[options["database"]]):
            super().handle(**options)
