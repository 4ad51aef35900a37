from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "epicommand.inbound"
    label = "inbound"
    verbose_name = _("Inbound travellers")

    def ready(self):
        # The dashboard's figures and their recount; the follow-up of a positive passenger.
        from . import dashboard, tasks  # noqa: F401
