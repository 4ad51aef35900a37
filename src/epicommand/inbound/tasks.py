"""Background work of inbound travellers: the closed loop's alarm round every few minutes
(core.periodic; `epicommand check-inbound-loop --schedule` starts it) and the follow-ups
(core.followups) of a positive passenger and of a person entering through a checkpoint
from a medium- or high-risk region."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from epicommand.control.services.passages import FROM_RISK_REGION
from epicommand.core import followups, periodic

from .services.alarms import check_loop
from .services.checkpoints import arrive_from_passages
from .services.positives import FLIGHT_POSITIVE, follow_positive

LOOP_CHECK = periodic.Every(timedelta(minutes=5))


@periodic.recurring(LOOP_CHECK)
def check_closed_loop() -> int:
    """Raise the closed loop's new alarms; returns how many."""
    return len(check_loop())


followups.reaction(FLIGHT_POSITIVE, _("circuit breaker, case, co-passengers as contacts"))(
    follow_positive
)
followups.reaction(FROM_RISK_REGION, _("arrival on the destination county's list"), many=True)(
    arrive_from_passages
)
