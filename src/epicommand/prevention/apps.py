from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventionConfig(AppConfig):
    name = "epicommand.prevention"
    label = "prevention"
    verbose_name = _("Routine prevention")

    def ready(self):
        from . import dashboard, tasks  # noqa: F401  (figures, periodic rounds)
