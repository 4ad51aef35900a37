"""The vaccination site's desk, on a phone: today's bookings, the dose form with the
contraindication checklist, the site's stock by lot (received, used, wasted), opening a
day's slots, and reporting an adverse event after a dose."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epicommand.core.access import Capability
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from .. import queries
from ..forms import AdverseEventForm, DoseForm, StockForm
from ..models import Dose, Site
from ..services import adverse, doses, sites


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VACCINATE)
def desk(request, site_id: int):
    site = get_object_or_404(Site.objects.visible_to(request.user), pk=site_id)
    dose_form, stock_form = DoseForm(prefix="d"), StockForm(prefix="s")
    status = 200
    if request.method == "POST":
        if "open_day" in request.POST:
            made = sites.open_day(request.user, site, timezone.localdate())
            messages.success(request, _("%(n)d slots opened for today.") % {"n": made})
            return redirect("vaccination:desk", site.pk)
        if "s-lot" in request.POST:
            stock_form = StockForm(request.POST, prefix="s")
            done = _stock(request, site, stock_form)
        else:
            dose_form = DoseForm(request.POST, prefix="d")
            done = _dose(request, site, dose_form)
        if done:
            return redirect("vaccination:desk", site.pk)
        status = 422
    today = timezone.localdate()
    context = {
        "site": site,
        "dose_form": dose_form,
        "stock_form": stock_form,
        "bookings": [
            (b, mask_name(b.person.name)) for b in queries.bookings_of_day(site, today)[:200]
        ],
        "slots": queries.slots_of(site, today),
        "stock": queries.stock_of(site),
        "doses_today": [
            (d, mask_name(d.person.name))
            for d in Dose.objects.filter(site=site, given_at__date=today)
            .select_related("person")
            .order_by("-pk")[:20]
        ],
    }
    return render(request, "vaccination/desk.html", context, status=status)


def _dose(request, site, form) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        dose = doses.record_dose(
            request.user,
            site,
            document=data["document"],
            product=data["product"],
            lot=data["lot"],
            screening=form.screening(),
        )
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    messages.success(
        request,
        _("Dose %(n)d recorded for %(name)s.")
        % {"n": dose.dose_number, "name": mask_name(dose.person.name)},
    )
    return True


def _stock(request, site, form) -> bool:
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    record = sites.waste_stock if data.pop("wasted") else sites.receive_stock
    try:
        record(request.user, site, **data)
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    messages.success(request, _("Stock recorded."))
    return True


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VACCINATE)
def report_adverse(request, dose_id: int):
    dose = get_object_or_404(
        Dose.objects.visible_to(request.user).select_related("person", "site"), pk=dose_id
    )
    form = AdverseEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            adverse.report(request.user, dose, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("Adverse event reported."))
            return redirect("vaccination:desk", dose.site_id)
    context = {"dose": dose, "form": form, "name": mask_name(dose.person.name)}
    return render(request, "vaccination/adverse_report.html", context)


urlpatterns = [
    path("vaccination/sites/<int:site_id>/desk/", desk, name="desk"),
    path("vaccination/doses/<int:dose_id>/adverse/", report_adverse, name="report_adverse"),
]
