from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlConfig(AppConfig):
    name = "epicommand.control"
    label = "control"
    verbose_name = _("Key-area control")

    def ready(self):
        from . import dashboard  # noqa: F401  registers the control figures
