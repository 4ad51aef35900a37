"""Gatherings' figures on the command dashboard (core.dashboard registry) and how `recount`
rebuilds their counter from the table (core.recount)."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import Application

recount.register(
    Counted("gathering_applications", lambda: Application.objects.all(), "filed_at"),
)

register(
    Figure(
        "gathering_applications",
        _("Gathering applications filed today"),
        "gathering_applications",
        Kind.FLOW,
        lambda region, day: list_url("gatherings:application_list", "/gatherings/"),
        "gatherings",
        "gatherings",
    )
)
