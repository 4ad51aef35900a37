from django.core.management.base import BaseCommand

from epicommand.core import filejobs, periodic, retention


class Command(BaseCommand):
    help = (
        "Delete place-code scans and checkpoint passages older than the policy's scan_days "
        "and passage_days, clear the personal details of records closed more than "
        "closed_record_days ago, and delete background exports past their download hours. "
        "Each rule is audited (retention.purge); prints what went."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the nightly run (02:00 Beijing) and the hourly expiry of export "
            "files with the background worker instead",
        )

    def handle(self, *args, schedule, **options):
        if schedule:
            periodic.start(retention.purge_nightly)
            periodic.start(filejobs.expire_files)
            self.stdout.write(self.style.SUCCESS("Nightly purge and hourly file expiry queued."))
            return
        for purged in retention.purge():
            self.stdout.write(str(purged))
        self.stdout.write(f"{filejobs.expire_due()} expired export files deleted")
