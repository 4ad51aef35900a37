from django.core.management.base import BaseCommand

from epicommand.core.recount import recount


class Command(BaseCommand):
    help = (
        "Rebuild every dashboard counter from the tables (persons, tasks, emergency "
        "reports): a repair tool, safe to run at any time; it takes one transaction."
    )

    def handle(self, *args, **options):
        totals = recount()
        for metric, total in totals.items():
            self.stdout.write(f"{metric:<20} {total:>12,}")
        self.stdout.write(self.style.SUCCESS("Counters rebuilt."))
