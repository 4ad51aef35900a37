from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "epicommand.vaccination"
    label = "vaccination"
    verbose_name = _("Vaccination")

    def ready(self):
        from . import dashboard  # noqa: F401  the dashboard figure and its recount
