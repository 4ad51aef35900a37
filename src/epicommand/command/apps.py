from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "epicommand.command"
    label = "command"
    verbose_name = _("Command and accountability")

    def ready(self):
        # The task and report figures, and the panels of the command dashboard.
        from . import dashboard  # noqa: F401
