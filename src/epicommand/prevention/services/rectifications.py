"""Overdue rectifications escalate to the command office: a round (core.periodic, in
tasks.py) marks each open rectification past its deadline once and notifies the command
body of its county; the command office's alert (prevention.alerts, a command.alerts
producer) proposes a task per county, raised in one click through command's task services
(`raise_task_from_state`), as the closed loop's alarms are. The round runs as the
platform, so it issues no task itself: a task is issued by a person of a unit."""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.command.alerts import command_bodies
from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.models import Region
from epicommand.core.notifications import notify

from ..models import Rectification

COUNTY = 6
BATCH = 1000


def escalate_overdue(now: datetime | None = None) -> int:
    """Mark the open rectifications past their deadline (once each) and notify each
    county's command body of how many; returns how many were escalated."""
    require(None, Capability.INSPECT_UNITS, platform=True)
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Rectification.objects.filter(
                status=Rectification.Status.OPEN, deadline__lt=now, escalated_at__isnull=True
            )
            .order_by("deadline")
            .values_list("pk", "region_id")[:BATCH]
        )
        if not due:
            return 0
        ids = [pk for pk, _region in due]
        # The conditional UPDATE claims them: a round run twice escalates each once.
        claimed = Rectification.objects.filter(pk__in=ids, escalated_at__isnull=True).update(
            escalated_at=now
        )
        by_county: dict[str, int] = defaultdict(int)
        for _pk, region in due:
            by_county[region[:COUNTY]] += 1
        bodies = command_bodies(Region.objects.filter(code__in=by_county))
        for county, n in sorted(by_county.items()):
            audit.record(
                None,
                "prevention.rectification.escalate",
                region_code=county,
                object_type="prevention.rectification",
                reason=_("%(n)d rectifications past their deadline") % {"n": n},
            )
            body = bodies.get(county)
            if body is not None:
                notify(
                    body,
                    _("%(n)d rectifications of units past their deadline") % {"n": n},
                    reverse("prevention:rectification_board") + "?overdue=1",
                )
    return claimed
