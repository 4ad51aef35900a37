from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "epicommand.tracing"
    label = "tracing"
    verbose_name = _("Epidemiological investigation")

    def ready(self):
        # The dashboard's case, contact and referral figures and how `recount` rebuilds them;
        # the follow-ups of cases and visits (core.followups), run after commit.
        from epicommand.control.services.person_state import Transition, react

        from . import (  # noqa: F401
            dashboard,
            retention,  # noqa: F401 (what core.retention purges)
            tasks,
        )
        from .models import Contact
        from .services import referral_exports  # noqa: F401 (a background file job)
        from .services.contacts import follow_person_state

        # A person's contact records follow their state (control.services.person_state).
        controlled = follow_person_state(Contact.Status.CONTROLLED)
        for transition in (
            Transition.BECAME_CASE,
            Transition.ADMITTED_TO_SITE,
            Transition.QUARANTINED_AT_HOME,
            Transition.HOME_QUARANTINE_STARTED,
        ):
            react(transition, controlled)
        react(Transition.RELEASED_FROM_QUARANTINE, follow_person_state(Contact.Status.RELEASED))
