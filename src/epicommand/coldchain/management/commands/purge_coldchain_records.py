from django.core.management.base import BaseCommand

from epicommand.coldchain import tasks
from epicommand.coldchain.services import retention
from epicommand.core import periodic


class Command(BaseCommand):
    help = (
        "Purge cold-chain records older than the policy's coldchain_record_years (batches "
        "past their keep-until date with their certificates, holdings and events; positive "
        "samples), keeping what an open investigation still needs. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the nightly run with the background worker instead (02:00 Beijing)",
        )

    def handle(self, *args, schedule, **options):
        if schedule:
            periodic.start(tasks.purge_nightly)
            self.stdout.write(self.style.SUCCESS("Nightly cold-chain purge queued."))
            return
        self.stdout.write(retention.purge_expired().summary())
