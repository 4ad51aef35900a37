from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlConfig(AppConfig):
    name = "epicommand.control"
    label = "control"
    verbose_name = _("Key-area control")

    def ready(self):
        # Registers the control figures of the dashboard, and the follow-up of a risk-area
        # change (core.followups).
        from epicommand.core import consistency

        from . import (  # noqa: F401
            dashboard,
            retention,  # noqa: F401 (what core.retention purges)
            tasks,
        )
        from .consistency import CHECKS

        # What `check-consistency` asks of every person's records (core.consistency).
        consistency.register(*CHECKS)
