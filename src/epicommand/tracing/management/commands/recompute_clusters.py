from django.core.management.base import BaseCommand

from epicommand.tracing.services.clusters import recompute_all


class Command(BaseCommand):
    help = (
        "Rebuild every cluster from the links and contact paths in one pass (the repair "
        "tool after a bulk load; the server keeps clusters current on its own)."
    )

    def handle(self, *args, **options):
        count = recompute_all()
        self.stdout.write(self.style.SUCCESS(f"{count:,} clusters."))
