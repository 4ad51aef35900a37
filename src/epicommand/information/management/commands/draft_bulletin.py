from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from epicommand.core import periodic
from epicommand.information import tasks
from epicommand.information.services import bulletins


class Command(BaseCommand):
    help = (
        "Draft the daily bulletin from the registry (the day before by default), or with "
        "--schedule queue the worker's run at each day's cut-off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument(
            "--schedule", action="store_true", help="queue the run at the daily cut-off"
        )

    def handle(self, *args, day, schedule, **options):
        if schedule:
            started = periodic.start(tasks.draft_at_cut_off)
            self.stdout.write("Queued." if started else "A run is queued already.")
            return
        try:
            chosen = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
        except ValueError:
            raise CommandError("--day is YYYY-MM-DD") from None
        try:
            draft = bulletins.draft_bulletin(None, chosen)
        except ValidationError as refused:
            raise CommandError("; ".join(refused.messages)) from None
        self.stdout.write(
            f"Drafted the bulletin of {draft.day} (version {draft.version}): "
            f"{len(draft.mismatches)} sums do not hold."
        )
