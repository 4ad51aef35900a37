from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ColdChainConfig(AppConfig):
    name = "epicommand.coldchain"
    label = "coldchain"
    verbose_name = _("Cold chain")

    def ready(self):
        from . import dashboard  # noqa: F401  the dashboard figures and their recount
