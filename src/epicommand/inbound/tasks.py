"""Background work of inbound travellers: the closed loop's alarm round every few minutes
(core.periodic; `epicommand check-inbound-loop --schedule` starts it) and the follow-up of
a positive passenger (core.followups)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from epicommand.core import followups, periodic

from .services.alarms import check_loop
from .services.positives import FLIGHT_POSITIVE, follow_positive

LOOP_CHECK = periodic.Every(timedelta(minutes=5))


@periodic.recurring(LOOP_CHECK)
def check_closed_loop() -> int:
    """Raise the closed loop's new alarms; returns how many."""
    return len(check_loop())


followups.reaction(FLIGHT_POSITIVE, _("circuit breaker, case, co-passengers as contacts"))(
    follow_positive
)
