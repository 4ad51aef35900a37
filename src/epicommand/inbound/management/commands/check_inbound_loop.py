from django.core.management.base import BaseCommand

from epicommand.core import periodic
from epicommand.inbound.services.alarms import check_loop
from epicommand.inbound.tasks import check_closed_loop


class Command(BaseCommand):
    help = (
        "Raise the closed loop's alarms (landed but not arrived, late handovers, released "
        "but not received by the community), once each. Run it from cron every few minutes, "
        "or once with --schedule to let the background worker repeat it every 5 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="also enqueue the recurring check"
        )

    def handle(self, *args, schedule, **options):
        raised = check_loop()
        self.stdout.write(f"{len(raised)} closed-loop alarms raised.")
        if schedule:
            result = periodic.start(check_closed_loop)
            self.stdout.write(
                "Recurring check enqueued." if result else "A recurring check is already waiting."
            )
