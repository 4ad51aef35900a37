from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "epicommand.testing"
    label = "testing"
    verbose_name = _("Nucleic-acid testing")

    def ready(self):
        # The dashboard's testing figures, and the answer the 9th edition's risk rule asks
        # of testing: has the village had a negative full round since a moment?
        from epicommand.control.services import risk_rules
        from epicommand.control.services.person_state import Transition, react

        from . import dashboard  # noqa: F401
        from .full_round import negative_full_round
        from .services.priority_list import withdraw_for_case

        risk_rules.set_full_round_check(negative_full_round)
        # A person who became a case leaves the priority-testing list.
        react(Transition.BECAME_CASE, withdraw_for_case)
