from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "epicommand.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        # The registered-population figure and how `recount` counts persons.
        # The person export and import as background file jobs (core.filejobs).
        from . import (
            dashboard,  # noqa: F401
            file_jobs,  # noqa: F401
        )
