from django.core.management.base import BaseCommand, CommandError

from epicommand.prevention.services.rectifications import escalate_overdue
from epicommand.simulation.prevention_units import seed_prevention, seeded


class Command(BaseCommand):
    help = (
        "Set up the demo's routine prevention: 3,000 units (places of the city and units by "
        "village) with a month of inspections, some items failing with photos, most "
        "rectified, some past their deadline (escalated). Needs seed-city and demo-accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument("--units", type=int, default=3000, help="units (default 3,000)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when units exist")

    def handle(self, *args, seed, units, if_empty, **options):
        if seeded():
            if if_empty:
                self.stdout.write("The database already has prevention units; nothing to do.")
                return
            raise CommandError("The database already has prevention units: use --if-empty.")
        try:
            done = seed_prevention(seed, units=units)
        except LookupError as missing:
            raise CommandError(f"{missing}") from None
        escalated = escalate_overdue()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {done.units:,} units, {done.inspections:,} inspections, "
                f"{done.rectifications:,} rectifications ({done.open_rectifications:,} open, "
                f"{escalated:,} past their deadline escalated)."
            )
        )
