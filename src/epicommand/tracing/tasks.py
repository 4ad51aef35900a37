"""Background work of tracing, run by `epicommand worker` (django-tasks).

Referrals: every minute, post the external referrals whose delivery attempt is due to the
webhook and escalate the referrals past their acknowledgement deadline to the city office.
Each run queues the next before it ends, so one `epicommand deliver-referrals --schedule`
keeps it going; sites that prefer cron run `epicommand deliver-referrals` every minute."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .services import referrals

REFERRAL_INTERVAL = timedelta(minutes=1)


def run_referrals(now=None) -> dict:
    """One round: {"delivered": n, "escalated": m}."""
    return {
        "delivered": referrals.deliver_due(now),
        "escalated": referrals.escalate_overdue(now),
    }


@task()
def deliver_referrals() -> dict:
    """Deliver and escalate what is due, then queue the next round."""
    try:
        return run_referrals()
    finally:
        schedule_referrals()


def schedule_referrals(delay: timedelta = REFERRAL_INTERVAL):
    """Enqueue the next round unless one is already waiting (a second chain would only
    double the work). Returns the enqueued result, or None."""
    backend = deliver_referrals.get_backend()
    if not backend.supports_defer:
        return None  # an immediate backend would run it at once, forever
    if _already_waiting():
        return None
    return deliver_referrals.using(run_after=timezone.now() + delay).enqueue()


def _already_waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it cannot tell, so do not guess
        return False
    from django_tasks import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=deliver_referrals.module_path, status=TaskResultStatus.READY
    ).exists()
