"""Tourist sites: the occupancy board of the culture and tourism office, a site's page with
its slots, the gate's entry screen (a phone), and the residents' public booking page, where
a resident identified on this phone (control.identity) books and cancels and reads the
notices of cancelled bookings."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epicommand.control import identity
from epicommand.core.access import Capability
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from .. import queries
from ..forms import GateForm, SiteForm, SlotsForm
from ..models import Booking, Slot, TouristSite
from ..services import bookings, sites

C = Capability


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TOURIST_SITES)
def board(request):
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = sites.create_site(request.user, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            return redirect("gatherings:site_detail", site.pk)
    rows = queries.occupancy_board(request.user)
    context = {
        "rows": rows,
        "form": form,
        "inside": sum(r.site.inside for r in rows),
        "closed": sum(1 for r in rows if r.condition.closed),
    }
    return render(request, "gatherings/board.html", context)


@require_http_methods(["GET"])
@capability_required(C.WORK_SITE_ENTRY)
def gates(request):
    """The sites whose gate the officer may work: pick one for the entry screen."""
    rows = list(queries.sites_visible_to(request.user).select_related("region")[:500])
    return render(request, "gatherings/gates.html", {"sites": rows})


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TOURIST_SITES)
def site_detail(request, site_id: int):
    site = get_object_or_404(queries.sites_visible_to(request.user), pk=site_id)
    form = SlotsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = sites.add_slots(request.user, site, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("%(n)d slots added.") % {"n": len(made)})
            return redirect("gatherings:site_detail", site.pk)
    context = {
        "site": site,
        "condition": queries.SiteConditions().of(site),
        "slots": queries.open_slots(site),
        "form": form,
    }
    return render(request, "gatherings/site_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.WORK_SITE_ENTRY)
def gate(request, site_id: int):
    site = get_object_or_404(TouristSite.objects.visible_to(request.user), pk=site_id)
    form = GateForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["direction"] == "out":
                bookings.leave(request.user, site, document=data["document"])
                result = {"admitted": True, "text": _("Exit recorded.")}
            else:
                passage, person = bookings.enter(
                    request.user, site, document=data["document"], temperature=data["temperature"]
                )
                result = {
                    "admitted": passage.admitted,
                    "name": mask_name(person.name),
                    "text": passage.reasons or _("Booking, health code and temperature: pass"),
                }
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            form = GateForm(initial={"direction": data["direction"]})
    site.refresh_from_db(fields=["inside"])
    context = {"site": site, "form": form, "result": result}
    return render(request, "gatherings/gate.html", context)


def _private(response):
    # A resident's bookings must not be kept by a shared or proxy cache.
    response["Cache-Control"] = "no-store, private"
    return response


def _resident(request):
    person = identity.resident_of(request)
    if person is None:
        target = reverse("control:resident_identify") + "?" + urlencode({"next": request.path})
        return None, _private(redirect(target))
    return person, None


@require_http_methods(["GET", "POST"])
def visit(request):
    """The resident's booking page: open sites and their own bookings (and notices)."""
    person, away = _resident(request)
    if away:
        return away
    if request.method == "POST":
        booking = Booking.objects.filter(pk=request.POST.get("cancel") or 0, person=person).first()
        if booking is not None:
            try:
                bookings.cancel(person, booking)
                messages.success(request, _("Booking cancelled."))
            except ValidationError as refused:
                messages.error(request, "; ".join(refused.messages))
        return _private(redirect("gatherings:visit"))
    conditions = queries.SiteConditions()
    open_sites = []
    for site in TouristSite.objects.order_by("name")[:200]:
        condition = conditions.of(site)
        open_sites.append((site, condition))
    context = {
        "masked_name": mask_name(person.name),
        "sites": open_sites,
        "bookings": queries.bookings_of(person),
        "now": timezone.now(),
    }
    return _private(render(request, "gatherings/visit.html", context))


@require_http_methods(["GET", "POST"])
def visit_site(request, site_id: int):
    person, away = _resident(request)
    if away:
        return away
    site = get_object_or_404(TouristSite, pk=site_id)
    error = ""
    if request.method == "POST":
        slot = Slot.objects.filter(pk=request.POST.get("slot") or 0, site=site).first()
        try:
            if slot is None:
                raise ValidationError({"slot": _("choose a slot")})
            bookings.book(person, slot)
        except ValidationError as refused:
            error = "; ".join(refused.messages)
        else:
            messages.success(request, _("Booked. Show your ID card at the gate."))
            return _private(redirect("gatherings:visit"))
    condition = queries.SiteConditions().of(site)
    slots = queries.open_slots(site)
    for slot in slots:
        slot.left = max(condition.cap - slot.booked, 0)
    context = {
        "site": site,
        "condition": condition,
        "slots": slots,
        "error": error,
        "masked_name": mask_name(person.name),
    }
    return _private(
        render(request, "gatherings/visit_site.html", context, status=400 if error else 200)
    )
