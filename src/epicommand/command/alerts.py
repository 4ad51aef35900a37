"""What the platform's own state says needs a task now ("Gaocheng: 3 tasks overdue"), each
raised in one click by `services.tasks.raise_task_from_state`.

An alert producer is a function `(actor, now) -> list[Alert]` that looks at one kind of
state inside the actor's jurisdiction and proposes tasks for the units the actor may give
work to. Modules add theirs to ALERT_PRODUCERS as a dotted path (imported when asked, so
this module imports none of them): contacts not controlled within 24 h, a testing round
behind schedule, and so on."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from epicommand.core.access import Capability
from epicommand.core.models import Region, Unit

from .models import Priority, Task
from .queries import OPEN_STATUSES

ALERT_PRODUCERS = [
    "epicommand.command.alerts.overdue_tasks_by_region",
    "epicommand.inbound.alerts.broken_loops",
    "epicommand.supplies.alerts.price_alerts",
    "epicommand.prevention.alerts.overdue_rectifications",
]
# How long the unit has for a task raised from an alert. Not an epidemiological figure
# (those come from core.policy): a working half-day for the unit to answer.
ALERT_TASK_HOURS = 12


@dataclass(frozen=True)
class Alert:
    key: str  # stable while the state lasts, so the same alert is not raised twice
    title: str
    text: str
    assignee: Unit
    deadline: datetime
    priority: int = Priority.HIGH
    open_task_id: int | None = None  # the task already raised from it, while open


def current_alerts(actor, *, now: datetime | None = None) -> list[Alert]:
    """Every producer's alerts for the actor, each marked with the open task already raised
    from it, if any."""
    if actor is None or not actor.can(Capability.ISSUE_TASKS) or not actor.unit_id:
        return []
    now = now or timezone.now()
    alerts = [alert for producer in ALERT_PRODUCERS for alert in _load(producer)(actor, now)]
    raised = dict(
        Task.objects.filter(source_key__in=[a.key for a in alerts], status__in=OPEN_STATUSES)
        .order_by("-id")
        .values_list("source_key", "pk")
    )
    return [replace(a, open_task_id=raised.get(a.key)) for a in alerts]


def _load(producer):
    return import_string(producer) if isinstance(producer, str) else producer


def find_alert(actor, key: str, *, now: datetime | None = None) -> Alert | None:
    return next((a for a in current_alerts(actor, now=now) if a.key == key), None)


def scope_region_of(actor) -> Region | None:
    """A user's scope region, or an API token's (tokens read alerts too)."""
    if hasattr(actor, "scope_region"):
        return actor.scope_region
    return getattr(actor, "region", None)


def command_bodies(regions) -> dict[str, Unit]:
    """{region code: its command body}: a county's command office, a township's government."""
    kinds = [Unit.Kind.COMMAND_OFFICE, Unit.Kind.TOWNSHIP_GOVERNMENT]
    units = Unit.objects.filter(region__in=regions, kind__in=kinds).order_by("id")
    found: dict[str, Unit] = {}
    for unit in units:
        found.setdefault(unit.region_id, unit)
    return found


def overdue_tasks_by_region(actor, now: datetime) -> list[Alert]:
    """Open tasks past their deadline, per region one level below the actor's (per county
    for the city office, per township for a county): the region's command body is asked
    to clear them."""
    scope = scope_region_of(actor)
    if scope is None or scope.level >= Region.Level.VILLAGE:
        return []
    child_length = {Region.Level.CITY: 6, Region.Level.COUNTY: 9, Region.Level.TOWNSHIP: 12}
    length = child_length[scope.level]
    rows = (
        Task.objects.visible_to(actor)
        .filter(status__in=OPEN_STATUSES, deadline__lt=now)
        .annotate(area=Substr("region_id", 1, length))
        .values("area")
        .annotate(n=Count("id"), oldest=Min("deadline"))
        .order_by("area")
    )
    counts = {row["area"]: row for row in rows if len(row["area"]) == length}
    regions = {r.code: r for r in Region.objects.filter(code__in=counts, parent=scope)}
    bodies = command_bodies(regions.values())
    alerts = []
    for code, region in sorted(regions.items()):
        unit = bodies.get(code)
        if unit is None or unit.pk == actor.unit_id:
            continue
        n, oldest = counts[code]["n"], counts[code]["oldest"]
        alerts.append(
            Alert(
                key=f"overdue-tasks-{code}",
                title=ngettext(
                    "%(region)s: %(n)d task overdue", "%(region)s: %(n)d tasks overdue", n
                )
                % {"region": region.name, "n": n},
                text=_(
                    "%(n)d tasks in %(region)s are past their deadline, the oldest since "
                    "%(oldest)s. Find out why, finish them or report what stands in the way."
                )
                % {
                    "n": n,
                    "region": region.name,
                    "oldest": timezone.localtime(oldest).strftime("%Y-%m-%d %H:%M"),
                },
                assignee=unit,
                deadline=now + timedelta(hours=ALERT_TASK_HOURS),
            )
        )
    return alerts
