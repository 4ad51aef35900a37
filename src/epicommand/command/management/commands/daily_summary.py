from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from epicommand.command.schedule import daily_summaries
from epicommand.command.services.summaries import generate_daily_summaries
from epicommand.core import periodic


class Command(BaseCommand):
    help = (
        "Generate the daily summaries (the city and each county) of a day, today by "
        "default; for cron. Generating a day again replaces its summaries. With --schedule, "
        "queue the worker's daily run at DAILY_SUMMARY_HOUR instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day, YYYY-MM-DD (default: today, Beijing time)")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the daily run for the background worker (`epicommand worker`)",
        )

    def handle(self, *args, day, schedule, **options):
        if schedule:
            queued = periodic.start(daily_summaries)
            if queued is None:
                self.stdout.write("A daily summary run is already queued; nothing to do.")
            else:
                [due] = queued.args
                when = timezone.localtime(queued.task.run_after).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"Queued: the daily summaries of {due} at {when}.")
            return
        try:
            chosen = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(f"--day {day!r} is not a date written YYYY-MM-DD") from None
        summaries = generate_daily_summaries(chosen)
        self.stdout.write(
            self.style.SUCCESS(f"{len(summaries)} summaries of {chosen.isoformat()} generated.")
        )
