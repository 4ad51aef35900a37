from django.core.management.base import BaseCommand

from epicommand.core import periodic
from epicommand.prevention.services.units import schedule_by_risk
from epicommand.prevention.tasks import prevention_round, run_round, schedule_inspections


class Command(BaseCommand):
    help = (
        "Escalate the rectifications past their deadline, raise the terminal disinfection "
        "of new positive cases' places, list key staff due for their test (overdue ones "
        "become health-code facts) and bring forward inspections in risk areas. Run it "
        "from cron every few minutes, or once with --schedule to let the background worker "
        "repeat it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="also enqueue the recurring rounds"
        )

    def handle(self, *args, schedule, **options):
        done = run_round()
        moved = schedule_by_risk()
        self.stdout.write(
            f"{done['escalated']} rectifications escalated, {done['disinfection_tasks']} "
            f"disinfection tasks raised, {done['staff']['listed']} key staff listed for their "
            f"test, {done['staff']['overdue']} overdue, {moved} inspections brought forward."
        )
        if schedule:
            for recurring in (prevention_round, schedule_inspections):
                result = periodic.start(recurring)
                self.stdout.write(
                    "Recurring round enqueued." if result else "A recurring round is waiting."
                )
