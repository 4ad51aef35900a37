from django.core.management.base import BaseCommand, CommandError

from epicommand.core.models import Region
from epicommand.simulation.gatherings_demo import (
    GatheringsAlreadySeeded,
    seed_gatherings,
    seeded,
)


class Command(BaseCommand):
    help = (
        "Set up the demo's gatherings: a month of applications of every kind across the "
        "counties, filed and decided through the services, the wartime state declared ten "
        "days in (refusing the later large events and weddings); 30 tourist sites with last "
        "weekend's bookings, entries and exits, and bookings for tomorrow. Needs seed-city."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when gatherings exist"
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and seeded():
            self.stdout.write("The database already has gatherings; nothing to do.")
            return
        if not Region.objects.filter(level=Region.Level.CITY).exists():
            raise CommandError("Run `epicommand seed-city` first.")
        try:
            done = seed_gatherings(seed)
        except GatheringsAlreadySeeded:
            raise CommandError("The database already has gatherings: use --if-empty.") from None
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(done.applications.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: applications {kinds}; {done.refused_by_wartime} refused by the wartime "
                f"state; {done.sites} tourist sites, {done.bookings:,} bookings, "
                f"{done.entries:,} entries. Accounts (demo password): "
                f"{', '.join(done.accounts[:8])} ..."
            )
        )
