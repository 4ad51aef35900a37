from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatheringsConfig(AppConfig):
    name = "epicommand.gatherings"
    label = "gatherings"
    verbose_name = _("Gatherings and tourist sites")

    def ready(self):
        from . import dashboard, tasks  # noqa: F401  figures; the sites. review round
