from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "epicommand.tracing"
    label = "tracing"
    verbose_name = _("Epidemiological investigation")

    def ready(self):
        # The dashboard's case, contact and referral figures and how `recount` rebuilds them;
        # the follow-ups of cases and visits (core.followups), run after commit.
        from . import dashboard, tasks  # noqa: F401
