"""Vaccination's figure on the command dashboard (doses given, by the site's region) and
how `recount` rebuilds its counter. Coverage has its own page, read from its tally."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import Dose

recount.register(Counted("vaccination_doses", lambda: Dose.objects.all(), "given_at"))

register(
    Figure(
        "vaccination_doses",
        _("Vaccine doses given"),
        "vaccination_doses",
        Kind.FLOW,
        lambda region, day: list_url("vaccination:coverage", "/vaccination/", region=region),
        "vaccination",
        "vaccination",
    )
)
