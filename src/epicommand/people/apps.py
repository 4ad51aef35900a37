from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "epicommand.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        # The registered-population figure and how `recount` counts persons.
        from . import dashboard  # noqa: F401
