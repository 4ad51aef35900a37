"""Supply requests: the open list (soonest due first, delays flagged, "delayed only"
filter), one request's page, and the quick actions (assign, delivered, receipt confirmed,
cancel). An htmx action answers with the request's card, refusal included, for htmx swaps
only 2xx answers; without htmx a success goes back to the list it came from and a refusal
shows the request's page with the reason (400)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import query_without_cursor, render_list, wants_partial

from ..forms.households import ReasonForm, SupplyAssignForm, SupplyFilterForm
from ..queries import households as queries
from ..services import supplies as services
from .household_common import may_read_households, private, safe_next

C = Capability


@require_safe
@may_read_households
def supply_list(request):
    form = SupplyFilterForm(request.GET or None)
    rows, next_after = [], None
    if not form.is_bound or form.is_valid():
        rows, next_after = queries.supply_page(
            request.user,
            after=request.GET.get("after"),
            limit=queries.CARDS_PER_SCREEN,
            **form.filters(),
        )
    queries.attach_team_choices(request.user, rows)
    context = {
        "form": form,
        "supplies": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "may_act": request.user.can(C.HOME_CONTROL),
        "back": request.get_full_path(),
    }
    return private(
        render_list(
            request, "quarantine/supply_list.html", "quarantine/supply_list_rows.html", context
        )
    )


@require_safe
@may_read_households
def supply_detail(request, supply_id: int):
    return _supply_page(request, queries.visible_request(request.user, supply_id))


def _supply_page(request, supply, *, status=200, error=""):
    _decorate(request, supply)
    context = {
        "supply": supply,
        "may_act": request.user.can(C.HOME_CONTROL),
        "error": error,
        "back": reverse("quarantine:supply_detail", args=[supply.pk]),
    }
    return private(render(request, "quarantine/supply_detail.html", context, status=status))


def _decorate(request, supply) -> None:
    supply.delayed = services.is_delayed(supply)
    queries.attach_team_choices(request.user, [supply])


def _act(request, supply_id: int, step, success: str):
    """Run one step on a request; answer with its card (htmx) or go back (or show why
    not). `step(supply)` raises the service's ValidationError on refusal."""
    supply = queries.visible_request(request.user, supply_id)
    error = ""
    try:
        step(supply)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    supply = queries.visible_request(request.user, supply_id)
    if wants_partial(request):
        _decorate(request, supply)
        context = {
            "supply": supply,
            "may_act": True,
            "error": error,
            "done": "" if error else success,
            "back": safe_next(request, reverse("quarantine:supply_list")),
        }
        return private(render(request, "quarantine/supply_item.html", context))
    if error:
        return _supply_page(request, supply, status=400, error=error)
    messages.success(request, success)
    return redirect(safe_next(request, reverse("quarantine:supply_detail", args=[supply.pk])))


def _form_or_refuse(form):
    """The form's data, or its errors as one refusal naming each field by its label."""
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
                for name, errors in form.errors.items()
                for message in errors
            ]
        )
    return form.cleaned_data


@require_POST
@capability_required(C.HOME_CONTROL)
def supply_assign(request, supply_id: int):
    def step(supply):
        teams = queries.teams_for(request.user, supply.region_id)
        data = _form_or_refuse(SupplyAssignForm(request.POST, teams=teams))
        services.assign_request(
            request.user, supply, team=data["team_id"], volunteer=data["volunteer"]
        )

    return _act(request, supply_id, step, _("Assigned."))


@require_POST
@capability_required(C.HOME_CONTROL)
def supply_deliver(request, supply_id: int):
    return _act(
        request,
        supply_id,
        lambda supply: services.mark_delivered(request.user, supply),
        _("Marked delivered."),
    )


@require_POST
@capability_required(C.HOME_CONTROL)
def supply_confirm(request, supply_id: int):
    return _act(
        request,
        supply_id,
        lambda supply: services.confirm_receipt(request.user, supply),
        _("Receipt confirmed."),
    )


@require_POST
@capability_required(C.HOME_CONTROL)
def supply_cancel(request, supply_id: int):
    def step(supply):
        data = _form_or_refuse(ReasonForm(request.POST))
        services.cancel_request(request.user, supply, reason=data["reason"])

    return _act(request, supply_id, step, _("Request cancelled."))


urlpatterns = [
    path("quarantine/supplies/", supply_list, name="supply_list"),
    path("quarantine/supplies/<int:supply_id>/", supply_detail, name="supply_detail"),
    path("quarantine/supplies/<int:supply_id>/assign/", supply_assign, name="supply_assign"),
    path("quarantine/supplies/<int:supply_id>/deliver/", supply_deliver, name="supply_deliver"),
    path("quarantine/supplies/<int:supply_id>/confirm/", supply_confirm, name="supply_confirm"),
    path("quarantine/supplies/<int:supply_id>/cancel/", supply_cancel, name="supply_cancel"),
]
