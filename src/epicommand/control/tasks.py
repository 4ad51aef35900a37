"""Background work of key-area control, run by `epicommand worker` (django-tasks).

Health codes: a colour also changes by itself when a phase ends (a high-risk visit turns
from red to yellow after the edition's days); the engine notes that moment as the code's
`valid_until`, and this recompute, every few minutes, picks up the persons it has passed.
Each run queues the next before it ends, so one `epicommand recompute-codes --schedule`
keeps it going; sites that prefer cron run `epicommand recompute-codes` instead.

Follow-ups (core.followups), after the change commits: a risk area confirmed or lifted has
the health codes of the persons it touched recomputed (up to a district's residents)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from epicommand.core import followups

from .models import RiskArea
from .services import healthcode, risk

RECOMPUTE_INTERVAL = timedelta(minutes=5)


@followups.reaction(risk.RECOMPUTE, _("health codes of residents and visitors"))
def recompute_area_codes(area_id: int, changed_at) -> None:
    area = RiskArea.objects.get(pk=area_id)
    healthcode.recompute(risk.persons_changed_by(area, changed_at), now=changed_at)


@task()
def recompute_due_codes() -> int:
    """Recompute every code whose colour was due to change by now; returns how many."""
    try:
        return healthcode.recompute_due()
    finally:
        schedule_recompute()


def schedule_recompute(delay: timedelta = RECOMPUTE_INTERVAL):
    """Enqueue the next recompute unless one is already waiting (a second chain would only
    double the work). Returns the enqueued result, or None."""
    backend = recompute_due_codes.get_backend()
    if not backend.supports_defer:
        return None  # an immediate backend would run it at once, forever
    if _already_waiting():
        return None
    return recompute_due_codes.using(run_after=timezone.now() + delay).enqueue()


def _already_waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it cannot tell, so do not guess
        return False
    from django_tasks import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=recompute_due_codes.module_path, status=TaskResultStatus.READY
    ).exists()
