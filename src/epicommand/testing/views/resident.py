"""The resident's own testing page, public (no staff login): /testing/me/ shows the person
this browser identified as (control.identity) their sampling site, its address and their
time slot in the rounds under way, and their own latest results; nobody else's."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from epicommand.control import identity
from epicommand.control.views.resident import identify_url
from epicommand.core.masking import mask_name

from ..queries import rounds as queries


def _private(response):
    # A resident's results must not be kept by a shared or proxy cache.
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
def resident_testing(request):
    person = identity.resident_of(request)
    if person is None:
        return redirect(identify_url(request.path))
    now = timezone.now()
    context = {
        "person": person,
        "masked_name": mask_name(person.name),
        "rounds": queries.resident_rounds(person, now=now),
        "samples": queries.resident_samples(person),
        "identified_until": identity.identified_until(request),
    }
    return _private(render(request, "testing/resident_testing.html", context))


urlpatterns = [path("testing/me/", resident_testing, name="resident_testing")]
