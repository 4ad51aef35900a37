from django.core.management.base import BaseCommand

from epicommand.control.services.risk import propose_suggestions


class Command(BaseCommand):
    help = (
        "Run the active edition's risk-area rule over the recorded cases and store what it "
        "would change as proposals for the command offices to confirm (the same proposal is "
        "never stored twice). Run it from cron, e.g. every morning; the 2021 rule was "
        "reviewed every 7 days."
    )

    def handle(self, *args, **options):
        areas = propose_suggestions(None)
        for area in areas:
            self.stdout.write(f"{area.get_level_display()}: {area.name} ({area.reasons})")
        self.stdout.write(f"{len(areas)} proposals await confirmation.")
