from django.core.management.base import BaseCommand

from epicommand.core import periodic
from epicommand.tracing.tasks import REFERRAL_ROUND, deliver_referrals, run_referrals


class Command(BaseCommand):
    help = (
        "Post the referrals to outside the city whose delivery is due to the webhook "
        "(REFERRAL_WEBHOOK_URL) and escalate the referrals not acknowledged in time to the "
        "city office. Run it from cron every minute, or once with --schedule to let the "
        "background worker repeat it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also enqueue the recurring round for `epicommand worker`",
        )

    def handle(self, *args, schedule, **options):
        done = run_referrals()
        self.stdout.write(
            f"{done['delivered']} referrals delivered, {done['escalated']} escalated."
        )
        if schedule:
            result = periodic.start(deliver_referrals)
            minutes = int(REFERRAL_ROUND.interval.total_seconds() // 60)
            self.stdout.write(
                f"Recurring referral round enqueued (every {minutes} minute(s))."
                if result
                else "A recurring referral round is already waiting."
            )
