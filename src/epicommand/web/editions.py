"""Protocol editions (core.policy): every office that reads policy sees the editions, the
one in force and the switches scheduled; the city office schedules a switch here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epicommand.core import policy
from epicommand.core.access import Capability, require
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.queries import editions_overview, figure_rows
from epicommand.core.services import choose_edition

from .forms import EditionChoiceForm


def _page(request, form, status=200):
    overview = editions_overview()
    may_choose = request.user.can(Capability.CHOOSE_EDITION)
    return render(
        request,
        "web/editions.html",
        {
            "overview": overview,
            "figures": figure_rows(overview.editions),
            "form": form if may_choose else None,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@capability_required(Capability.VIEW_POLICY)
def edition_list(request):
    if request.method != "POST":
        return _page(request, EditionChoiceForm())
    require(request.user, Capability.CHOOSE_EDITION)
    form = EditionChoiceForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        choice = choose_edition(request.user, **form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, form, status=400)
    moment = timezone.localtime(choice.in_force_from).strftime("%Y-%m-%d %H:%M")
    message = _("%(edition)s will be in force from %(moment)s.")
    edition = policy.EDITIONS[choice.edition].name
    messages.success(request, message % {"edition": edition, "moment": moment})
    return redirect("web:edition_list")
