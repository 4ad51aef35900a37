"""Price alerts as tasks for market supervision (a command.alerts producer): per district,
commodity and day, one proposed task "Gaocheng: pork price alert" to the market regulation
bureau of the district (else of the actor's own region), raised in one click from the
tasks page through command's task services."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.command.alerts import Alert
from epicommand.command.queries import assignable_units
from epicommand.core import policy
from epicommand.core.models import Unit

from .models import PriceAlert

# Alerts of the last days stay proposed until a task is raised (a weekend's alert is read
# on Monday).
DAYS_PROPOSED = 3


def price_alerts(actor, now: datetime) -> list[Alert]:
    since = timezone.localdate(now) - timedelta(days=DAYS_PROPOSED - 1)
    rows = (
        PriceAlert.objects.visible_to(actor)
        .filter(day__gte=since)
        .select_related("region", "enterprise")
        .order_by("region_id", "commodity", "day", "rule")
    )
    grouped = defaultdict(list)
    for alert in rows:
        grouped[(alert.region_id, alert.commodity, alert.day)].append(alert)
    if not grouped:
        return []
    regulators = {
        u.region_id: u
        for u in assignable_units(actor.unit, getattr(actor, "scope_region", None)).filter(
            kind=Unit.Kind.MARKET_REGULATION
        )
    }
    own = regulators.get(actor.unit.region_id) if actor.unit_id else None
    hours = policy.active().supplies.alert_task_hours
    proposed = []
    for (district, commodity, day), alerts in grouped.items():
        unit = regulators.get(district) or own
        if unit is None:
            continue
        first = alerts[0]
        lines = [
            f"{a.get_rule_display()}: {a.value} ({_('limit')} {a.limit})"
            + (f", {a.enterprise.name}" if a.enterprise_id else "")
            for a in alerts
        ]
        proposed.append(
            Alert(
                key=f"price-{district}-{commodity}-{day:%Y%m%d}",
                title=_("%(region)s: %(commodity)s price alert on %(day)s")
                % {
                    "region": first.region.name,
                    "commodity": first.get_commodity_display(),
                    "day": day.isoformat(),
                },
                text=_("Check the markets and enterprises and stabilise supply and prices. ")
                + "; ".join(lines),
                assignee=unit,
                deadline=now + timedelta(hours=hours),
            )
        )
    return proposed
