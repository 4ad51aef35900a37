from django.core.management.base import BaseCommand

from epicommand.control import codes


class Command(BaseCommand):
    help = (
        "Sign health codes with a new key from now on (after a leak, or on schedule). The "
        "old public key keeps verifying the codes it signed until they expire; devices "
        "fetch both from /api/v1/health-codes/public-key. Audited."
    )

    def handle(self, *args, **options):
        new = codes.rotate()
        self.stdout.write(f"New health-code public key: {new}")
