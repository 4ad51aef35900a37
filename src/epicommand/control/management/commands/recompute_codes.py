from django.core.management.base import BaseCommand

from epicommand.control.services.healthcode import recompute_due
from epicommand.control.tasks import DUE_CODES_RECOMPUTE, recompute_due_codes
from epicommand.core import periodic


class Command(BaseCommand):
    help = (
        "Recompute the health codes whose colour was due to change by now (a red or yellow "
        "phase ended). Run it from cron every few minutes, or once with --schedule to let "
        "the background worker repeat it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also enqueue the recurring recompute for `epicommand worker`",
        )

    def handle(self, *args, schedule, **options):
        count = recompute_due()
        self.stdout.write(f"{count} health codes recomputed.")
        if schedule:
            result = periodic.start(recompute_due_codes)
            minutes = int(DUE_CODES_RECOMPUTE.interval.total_seconds() // 60)
            self.stdout.write(
                f"Recurring recompute enqueued (every {minutes} minutes)."
                if result
                else "A recurring recompute is already waiting."
            )
