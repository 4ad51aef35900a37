"""The command's own figures on the dashboard (tasks and emergency reports), how `recount`
rebuilds their counters, and the panels the dashboard is drawn with: a panel no module has
filled yet says it appears when that module lands. Loaded by CommandConfig.ready()."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import AWAITED, AwaitedPanel, Figure, Kind, list_url, register

from .models import EmergencyReport, Task
from .services.summaries import open_tasks

for counted in (
    recount.Counted("tasks_issued", lambda: Task.objects.all(), "created_at"),
    recount.Counted(
        "tasks_done", lambda: Task.objects.filter(status=Task.Status.DONE), "completed_at"
    ),
    recount.Counted("tasks_open", open_tasks),
    recount.Counted("tasks_overdue", lambda: open_tasks().filter(overdue_noted_at__isnull=False)),
    recount.Counted("reports_filed", lambda: EmergencyReport.objects.all(), "filed_at"),
    recount.Counted(
        "reports_open",
        lambda: EmergencyReport.objects.exclude(status=EmergencyReport.Status.CLOSED),
    ),
):
    recount.register(counted)


def _tasks(region: str, day: date, **params) -> str:
    return list_url("command:task_list", "/tasks/", region=region, **params)


def _reports(region: str, day: date, **params) -> str:
    return list_url("command:report_list", "/reports/", region=region, **params)


register(
    Figure(
        "tasks_issued",
        _("Tasks issued today"),
        "tasks_issued",
        Kind.FLOW,
        lambda region, day: _tasks(region, day, issued=day.isoformat()),
        "tasks",
    )
)
register(
    Figure(
        "tasks_done",
        _("Tasks done today"),
        "tasks_done",
        Kind.FLOW,
        lambda region, day: _tasks(region, day, done=day.isoformat()),
        "tasks",
    )
)
register(
    Figure(
        "tasks_open",
        _("Open tasks"),
        "tasks_open",
        Kind.STOCK,
        lambda region, day: _tasks(region, day, status="open"),
        "tasks",
    )
)
register(
    Figure(
        "tasks_overdue",
        _("Overdue tasks"),
        "tasks_overdue",
        Kind.STOCK,
        lambda region, day: _tasks(region, day, overdue=1),
        "tasks",
    )
)
register(
    Figure(
        "reports_open",
        _("Open emergency reports"),
        "reports_open",
        Kind.STOCK,
        lambda region, day: _reports(region, day, open=1),
        "reports",
    )
)


AWAITED += [
    AwaitedPanel("cases", _("Map of risk areas and cases by region"), _("case tracing")),
    AwaitedPanel(
        "epidemic_curve", _("Epidemic curve by onset and by report date"), _("case tracing")
    ),
    AwaitedPanel(
        "contacts", _("Close contacts identified and controlled within 24 h"), _("case tracing")
    ),
    AwaitedPanel("testing", _("Testing-round progress"), _("mass testing")),
    AwaitedPanel("quarantine", _("Quarantine occupancy and capacity forecast"), _("quarantine")),
    AwaitedPanel("checkpoints", _("Checkpoint flow"), _("checkpoints")),
]
