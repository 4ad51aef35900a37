"""People's figure on the command dashboard (the registered population) and how `recount`
rebuilds the persons counters. Loaded by PeopleConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register

from .models import Person

recount.register(recount.Counted("persons", lambda: Person.objects.all()))
recount.register(recount.Counted("persons_registered", lambda: Person.objects.all(), "created_at"))

register(
    Figure(
        "persons",
        _("Registered population"),
        "persons",
        Kind.STOCK,
        lambda region, day: list_url("people:person_list", "/persons/", region=region),
        "people",
        "people",
    )
)
