"""The resident's own quarantine page, public (no staff login): /quarantine/me/ shows the
person this browser identified as (control.identity) their own stay or their household's
time at home and the days remaining, and lets them request supplies for the household
and confirm a delivery. Nothing about anyone else: no member, no other household."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from epicommand.control import identity
from epicommand.core.masking import mask_name

from ..forms.households import SupplyRequestForm
from ..models import SupplyRequest
from ..queries import households as queries
from ..services import supplies as services
from .household_common import private


def _identify_first(request):
    target = f"{reverse('control:resident_identify')}?{urlencode({'next': request.path})}"
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_safe
def resident_status(request):
    person = identity.resident_of(request)
    if person is None:
        return _identify_first(request)
    return _page(request, person)


def _page(request, person, *, form=None, status=200, error=""):
    context = {
        "status": queries.resident_status(person),
        "masked_name": mask_name(person.name),
        "form": form or SupplyRequestForm(),
        "error": error,
        "today": timezone.localdate(),
    }
    return private(render(request, "quarantine/resident_status.html", context, status=status))


@require_POST
def resident_supply_new(request):
    person = identity.resident_of(request)
    if person is None:
        return _identify_first(request)
    form = SupplyRequestForm(request.POST)
    error = ""
    if form.is_valid():
        if person.household_id is None:
            error = _("You are not registered in a household.")
        else:
            try:
                supply = services.request_supplies(
                    None,
                    person.household,
                    kind=form.cleaned_data["kind"],
                    items=form.cleaned_data["items"],
                    resident=person,
                )
            except ValidationError as exc:
                # Said to the resident in words, without the API's field names.
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    _("Your request is recorded. It is due by %(due)s.")
                    % {"due": timezone.localtime(supply.due_at).strftime("%m-%d %H:%M")},
                )
                return private(redirect("quarantine:resident_status"))
    return _page(request, person, form=form, status=400, error=error)


@require_POST
def resident_supply_confirm(request, supply_id: int):
    person = identity.resident_of(request)
    if person is None:
        return _identify_first(request)
    # Only the resident's own household's requests exist for them: anything else is 404.
    supply = get_object_or_404(
        SupplyRequest.objects.select_related("control"),
        pk=supply_id,
        control__household_id=person.household_id or 0,
    )
    try:
        services.confirm_receipt(None, supply, resident=person)
    except (ValidationError, PermissionDenied) as exc:
        return _page(request, person, status=400, error=" ".join(_messages(exc)))
    messages.success(request, _("Thank you: receipt confirmed."))
    return private(redirect("quarantine:resident_status"))


def _messages(exc) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


urlpatterns = [
    path("quarantine/me/", resident_status, name="resident_status"),
    path("quarantine/me/supplies/new/", resident_supply_new, name="resident_supply_new"),
    path(
        "quarantine/me/supplies/<int:supply_id>/confirm/",
        resident_supply_confirm,
        name="resident_supply_confirm",
    ),
]
