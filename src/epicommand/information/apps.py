from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformationConfig(AppConfig):
    name = "epicommand.information"
    label = "information"
    verbose_name = _("Public information")

    def ready(self):
        from . import tasks  # noqa: F401  the bulletin drafted at the day's cut-off
