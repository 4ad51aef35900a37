from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    name = "epicommand.quarantine"
    label = "quarantine"
    verbose_name = _("Quarantine")

    def ready(self):
        # The dashboard figures and the counters `recount` rebuilds (sites and stays;
        # supply requests of the households kept at home).
        from . import (  # noqa: F401
            counted_households,
            dashboard,
            retention,  # noqa: F401 (what core.retention purges)
        )
