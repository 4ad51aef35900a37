from django.core.management.base import BaseCommand

from epicommand.simulation.boundaries import generate_from_database


class Command(BaseCommand):
    help = (
        "Generate plausible region boundaries for the risk-area map from the regions in the "
        "database (a demo city seeded before seed-city made them). Replaces all boundaries: "
        "a real city imports its official ones instead."
    )

    def handle(self, *args, **options):
        written = generate_from_database()
        self.stdout.write(self.style.SUCCESS(f"{written:,} region boundaries written."))
