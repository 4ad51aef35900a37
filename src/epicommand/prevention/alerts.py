"""The command office's view of overdue rectifications (a command.alerts producer): per
county one proposed task, "n units past their rectification deadline", to the county's
command office, raised in one click from the command page."""

from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.command.alerts import ALERT_TASK_HOURS, Alert, command_bodies
from epicommand.core.models import Region

from .models import Rectification


def overdue_rectifications(actor, now: datetime) -> list[Alert]:
    rows = (
        Rectification.objects.visible_to(actor)
        .filter(status=Rectification.Status.OPEN, escalated_at__isnull=False)
        .annotate(county=Substr("region_id", 1, 6))
        .values("county")
        .annotate(n=Count("id"), oldest=Min("deadline"))
        .order_by("county")
    )
    counts = {row["county"]: row for row in rows}
    regions = Region.objects.filter(code__in=counts, level=Region.Level.COUNTY)
    bodies = command_bodies(regions)
    alerts = []
    for region in regions:
        unit = bodies.get(region.code)
        if unit is None or unit.pk == actor.unit_id:
            continue
        row = counts[region.code]
        alerts.append(
            Alert(
                key=f"prevention-rect-{region.code}-{row['oldest']:%Y%m%d%H%M}",
                title=_("%(region)s: %(n)d units past their rectification deadline")
                % {"region": region.name, "n": row["n"]},
                text=_(
                    "Rectifications overdue since %(t)s: have each unit put right what its "
                    "inspection found and re-inspect it (the rectifications board lists them)."
                )
                % {"t": timezone.localtime(row["oldest"]).strftime("%Y-%m-%d %H:%M")},
                assignee=unit,
                deadline=now + timedelta(hours=ALERT_TASK_HOURS),
            )
        )
    return alerts
