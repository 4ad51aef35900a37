"""Routine prevention's figures on the command dashboard (core.dashboard registry) and how
`recount` rebuilds their counters from the tables (core.recount)."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register

from .models import DisinfectionTask, Inspection, Rectification

recount.register(
    recount.Counted("prevention_inspections", lambda: Inspection.objects.all(), "inspected_at"),
    recount.Counted("rectifications_open", lambda: Rectification.objects.filter(status="open")),
    recount.Counted(
        "disinfection_tasks_open", lambda: DisinfectionTask.objects.filter(status="open")
    ),
)

register(
    Figure(
        "prevention_inspections",
        _("Unit inspections today"),
        "prevention_inspections",
        Kind.FLOW,
        lambda region, day: list_url("prevention:unit_list", "/prevention/units/", region=region),
        "prevention",
        "prevention",
    )
)
register(
    Figure(
        "rectifications_open",
        _("Open rectifications of units"),
        "rectifications_open",
        Kind.STOCK,
        lambda region, day: list_url(
            "prevention:rectification_board", "/prevention/rectifications/", region=region
        ),
        "prevention",
        "prevention",
    )
)
register(
    Figure(
        "disinfection_tasks_open",
        _("Open terminal disinfection tasks"),
        "disinfection_tasks_open",
        Kind.STOCK,
        lambda region, day: list_url(
            "prevention:disinfection_tasks", "/prevention/disinfection/", region=region
        ),
        "prevention",
        "prevention",
    )
)
