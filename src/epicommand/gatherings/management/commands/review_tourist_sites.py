from django.core.management.base import BaseCommand

from epicommand.core import periodic
from epicommand.gatherings.services.sites import review_sites
from epicommand.gatherings.tasks import review_tourist_sites


class Command(BaseCommand):
    help = (
        "Close the tourist sites the risk areas in force close (cancelling their future "
        "bookings) and reopen the others; --schedule keeps it running every 5 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="queue the recurring round")

    def handle(self, *args, schedule=False, **options):
        if schedule:
            periodic.start(review_tourist_sites)
            self.stdout.write("tourist-site review scheduled")
            return
        done = review_sites()
        self.stdout.write(
            f"closed {done['closed']}, reopened {done['reopened']}, "
            f"bookings cancelled {done['cancelled']}"
        )
