"""Background work of key-area control, run by `epicommand worker` (django-tasks).

Health codes: a colour also changes by itself when a phase ends (a high-risk visit turns
from red to yellow after the edition's days); the engine notes that moment as the code's
`valid_until`, and this recompute, every few minutes, picks up the persons it has passed.
Each run queues the next before it ends (core.periodic), so one
`epicommand recompute-codes --schedule` keeps it going; sites that prefer cron run
`epicommand recompute-codes` instead.

Follow-ups (core.followups), after the change commits: a risk area confirmed or lifted has
the health codes of the persons it touched recomputed (up to a district's residents)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from epicommand.core import followups, periodic

from .models import RiskArea
from .services import healthcode, risk

DUE_CODES_RECOMPUTE = periodic.Every(timedelta(minutes=5))


@followups.reaction(risk.RECOMPUTE, _("health codes of residents and visitors"))
def recompute_area_codes(area_id: int, changed_at) -> None:
    area = RiskArea.objects.get(pk=area_id)
    healthcode.recompute(risk.persons_changed_by(area, changed_at), now=changed_at)


@periodic.recurring(DUE_CODES_RECOMPUTE)
def recompute_due_codes() -> int:
    """Recompute every code whose colour was due to change by now; returns how many."""
    return healthcode.recompute_due()
