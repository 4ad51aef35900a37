"""The resident's own vaccination page (/vaccine/), beside their health code: who
identified on this phone (control.identity, as the health-code pages) sees their doses
and their series' next window, and books a slot for themselves."""

from datetime import timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epicommand.control import identity
from epicommand.core import policy
from epicommand.core.masking import mask_name
from epicommand.core.pages.forms import apply_errors

from .. import queries
from ..forms import ResidentBookingForm
from ..models import Booking, Series, Slot
from ..services import bookings


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
def mine(request):
    person = identity.resident_of(request)
    if person is None:
        target = reverse("control:resident_identify") + "?" + urlencode({"next": request.path})
        return _private(redirect(target))
    form = ResidentBookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            slot = Slot.objects.select_related("site").filter(pk=form.cleaned_data["slot"]).first()
            try:
                if slot is None:
                    raise ValidationError({"slot": _("no such slot")})
                bookings.book_for_resident(person, slot, group=form.cleaned_data["group"])
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                return _private(redirect("vaccination:mine"))
    rules = policy.active().vaccination
    day = _day(request)
    context = {
        "masked_name": mask_name(person.name),
        "doses": queries.doses_of_person(person),
        "series": Series.objects.filter(person=person).first(),
        "booking": Booking.objects.filter(person=person, state=Booking.State.BOOKED)
        .select_related("slot__site")
        .first(),
        "products": {p.code: p.name for p in rules.products},
        "form": form,
        "day": day,
        "days": [timezone.localdate() + timedelta(days=n) for n in range(rules.booking_days_ahead)],
        "slots": queries.open_slots(day, region_code=request.GET.get("region", "")),
    }
    return _private(render(request, "vaccination/mine.html", context, status=status))


def _day(request):
    today = timezone.localdate()
    try:
        ahead = int(request.GET.get("in", "0"))
    except ValueError:
        ahead = 0
    return today + timedelta(
        days=min(max(ahead, 0), policy.active().vaccination.booking_days_ahead)
    )


urlpatterns = [path("vaccine/", mine, name="mine")]
