"""The rumour queue: reports of the reviewer's jurisdiction, a rumour's page with the
authoritative figures that bear on it, the ruling, the refutation and the referral."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from .. import queries
from ..forms import OutcomeForm, ReferralForm, RulingForm, RumourReportForm
from ..models import Rumour
from ..services import rumours


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_INFORMATION)
def rumour_list(request):
    form = RumourReportForm()
    if request.method == "POST":
        form = RumourReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rumour = rumours.report_by_staff(request.user, **form.cleaned_data)
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                messages.success(request, _("Reported."))
                return redirect("information:rumour_detail", rumour.pk)
    status = request.GET.get("status", "")
    rows = queries.rumour_page(
        request.user, status=status, after=parse_cursor(request.GET.get("after"))
    )
    context = {
        "form": form,
        "rumours": rows,
        "status": status,
        "statuses": Rumour.Status.choices,
        "next_after": rows[-1].pk if len(rows) == queries.PAGE else None,
        "may_handle": Capability.HANDLE_RUMOURS in request.user.capabilities,
    }
    return render(request, "information/rumour_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_INFORMATION)
def rumour_detail(request, rumour_id: int):
    rumour = queries.visible_rumour(request.user, rumour_id)
    if rumour is None:
        raise Http404
    forms = {"ruling": RulingForm(), "referral": ReferralForm(), "outcome": OutcomeForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in forms and _act(request, rumour, action, forms):
            return redirect("information:rumour_detail", rumour.pk)
    context = {
        "rumour": rumour,
        **forms,
        **queries.authoritative_for(rumour),
        "may_handle": Capability.HANDLE_RUMOURS in request.user.capabilities,
    }
    return render(request, "information/rumour_detail.html", context)


def _act(request, rumour, action, forms) -> bool:
    form_class = {"ruling": RulingForm, "referral": ReferralForm, "outcome": OutcomeForm}[action]
    form = forms[action] = form_class(request.POST)
    if not form.is_valid():
        return False
    service = {"ruling": rumours.rule, "referral": rumours.refer, "outcome": rumours.record_outcome}
    try:
        service[action](request.user, rumour, **form.cleaned_data)
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    messages.success(request, _("Recorded."))
    return True
