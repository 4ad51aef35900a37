from django.core.management.base import BaseCommand, CommandError

from epicommand.core import consistency


class Command(BaseCommand):
    help = (
        "List every person whose health code, facts, contact status, stays, recalls and "
        "priority-testing entries disagree, and every dashboard figure that differs from a "
        "recount. Reads only; exits 1 when anything disagrees."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the nightly run with the background worker instead (03:00 Beijing)",
        )

    def handle(self, *args, schedule, **options):
        if schedule:
            consistency.periodic.start(consistency.check_nightly)
            self.stdout.write(self.style.SUCCESS("Nightly consistency check queued."))
            return
        report = consistency.check()
        for line in report.lines():
            self.stdout.write(line)
        if not report.consistent:
            raise CommandError(
                f"{len(report.persons)} person(s) and {len(report.figures)} figure(s) disagree"
            )
        self.stdout.write(self.style.SUCCESS("Consistent: every person and every figure."))
