from django.core.management.base import BaseCommand

from epicommand.command.services.tasks import detect_overdue_tasks
from epicommand.command.tasks import check_overdue_tasks
from epicommand.core import periodic


class Command(BaseCommand):
    help = (
        "Note every open task past its deadline (once per task): mark it overdue, audit it "
        "and notify the assigned and the issuing unit. Run it from cron every few minutes, "
        "or once with --schedule to let the background worker repeat it every 5 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also enqueue the recurring check for `epicommand worker`",
        )

    def handle(self, *args, schedule, **options):
        noted = detect_overdue_tasks()
        self.stdout.write(f"{len(noted)} tasks newly overdue.")
        if schedule:
            result = periodic.start(check_overdue_tasks)
            self.stdout.write(
                "Recurring check enqueued." if result else "A recurring check is already waiting."
            )
