"""The command office's view of the closed loop's alarms (a command.alerts producer):
per county one proposed task, "n travellers out of the closed loop", to the county's
command office, raised in one click from the command page."""

from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.command.alerts import ALERT_TASK_HOURS, Alert, command_bodies
from epicommand.core.models import Region

from .models import LoopAlarm


def broken_loops(actor, now: datetime) -> list[Alert]:
    rows = (
        LoopAlarm.objects.visible_to(actor)
        .filter(resolved_at__isnull=True)
        .annotate(county=Substr("region_id", 1, 6))
        .values("county")
        .annotate(n=Count("id"), oldest=Min("raised_at"))
        .order_by("county")
    )
    counts = {row["county"]: row for row in rows}
    regions = Region.objects.filter(code__in=counts, level=Region.Level.COUNTY)
    bodies = command_bodies(regions)
    alerts = []
    for region in regions:
        unit = bodies.get(region.code)
        if unit is None:
            continue
        row = counts[region.code]
        alerts.append(
            Alert(
                key=f"inbound-loop-{region.code}-{row['oldest']:%Y%m%d%H%M}",
                title=_("%(region)s: %(n)d travellers out of the closed loop")
                % {"region": region.name, "n": row["n"]},
                text=_(
                    "Closed-loop alarms open since %(t)s: find each traveller and close the loop."
                )
                % {"t": timezone.localtime(row["oldest"]).strftime("%Y-%m-%d %H:%M")},
                assignee=unit,
                deadline=now + timedelta(hours=ALERT_TASK_HOURS),
            )
        )
    return alerts
