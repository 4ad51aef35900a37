"""The office's pages: coverage with its drill-down, the due and overdue second doses,
the sites, an employer's roster and bookings, and adverse events."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core import policy
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor
from epicommand.people import lookup

from .. import queries
from ..forms import FollowForm, RosterForm, StaffBookingForm
from ..models import AdverseEvent, Slot
from ..services import adverse, bookings, rosters


@require_safe
@capability_required(Capability.VIEW_VACCINATION)
def coverage(request):
    unit = request.GET.get("unit", "")
    figures = queries.coverage(
        request.user,
        region_code=request.GET.get("region", "").strip(),
        unit_id=int(unit) if unit.isdigit() else None,
    )
    context = {**figures, "region": request.GET.get("region", ""), "unit": unit}
    return render(request, "vaccination/coverage.html", context)


@require_safe
@capability_required(Capability.VIEW_VACCINATION)
def overdue(request):
    state = "due" if request.GET.get("state") == "due" else "overdue"
    unit = request.GET.get("unit", "")
    group = request.GET.get("group", "")
    rows = queries.series_page(
        request.user,
        today=timezone.localdate(),
        state=state,
        unit_id=int(unit) if unit.isdigit() else None,
        group=group,
        after=parse_cursor(request.GET.get("after")),
    )
    rules = policy.active().vaccination
    context = {
        "rows": [
            {
                "series": s,
                "name": mask_name(s.person.name),
                "document": mask_id_number(s.person.id_number or s.person.passport_number),
                "group": rules.group_label(s.group) if s.group else "",
            }
            for s in rows
        ],
        "state": state,
        "unit": unit,
        "group": group,
        "groups": rules.groups,
        "units": queries.units_with_roster(request.user),
        "next_after": rows[-1].pk if len(rows) == queries.PAGE else None,
        "query": query_without_cursor(request),
    }
    return render(request, "vaccination/overdue.html", context)


@require_safe
@capability_required(Capability.VIEW_VACCINATION)
def site_list(request):
    context = {"sites": queries.sites_visible_to(request.user)[:500]}
    return render(request, "vaccination/site_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.KEEP_ROSTER)
def roster(request):
    """An employer uploads its roster and books its staff into open slots."""
    upload = RosterForm(prefix="r")
    booking = StaffBookingForm(prefix="b")
    result, status = None, 200
    if request.method == "POST" and "r-file" in request.FILES:
        upload = RosterForm(request.POST, request.FILES, prefix="r")
        if upload.is_valid():
            unit = rosters.employer_of(request.user)
            file = upload.cleaned_data["file"]
            result = rosters.import_roster(request.user, unit, file, file.name or "")
            status = 422 if result.error_count else 200
        else:
            status = 400
    elif request.method == "POST":
        booking = StaffBookingForm(request.POST, prefix="b")
        if _book_staff(request, booking):
            return redirect("vaccination:roster")
        status = 422
    day = timezone.localdate()
    context = {
        "upload": upload,
        "booking": booking,
        "result": result,
        "slots": queries.open_slots(day, region_code=""),
        "day": day,
    }
    return render(request, "vaccination/roster.html", context, status=status)


def _book_staff(request, form) -> bool:
    if not form.is_valid():
        return False
    slot = Slot.objects.select_related("site").filter(pk=form.cleaned_data["slot"]).first()
    person = lookup.find_outside_jurisdiction(
        request.user, form.cleaned_data["id_number"], purpose=lookup.Purpose.ROSTER
    )
    try:
        if slot is None:
            raise ValidationError({"slot": _("no such slot")})
        if person is None:
            raise ValidationError({"id_number": _("no registered person holds this ID number")})
        bookings.book_for_staff(request.user, slot, person)
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    messages.success(request, _("Booked."))
    return True


@require_safe
@capability_required(Capability.VIEW_VACCINATION)
def adverse_list(request):
    rows = queries.adverse_events(
        request.user,
        open_only=request.GET.get("all") != "1",
        after=parse_cursor(request.GET.get("after")),
    )
    context = {
        "events": [(e, mask_name(e.dose.person.name)) for e in rows],
        "next_after": rows[-1].pk if len(rows) == queries.PAGE else None,
    }
    return render(request, "vaccination/adverse_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.FOLLOW_ADVERSE_EVENTS)
def adverse_follow(request, event_id: int):
    event = get_object_or_404(AdverseEvent.objects.visible_to(request.user), pk=event_id)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            adverse.follow(request.user, event, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("Recorded."))
            return redirect("vaccination:adverse_list")
    context = {"event": event, "form": form, "name": mask_name(event.dose.person.name)}
    return render(request, "vaccination/adverse_follow.html", context)


urlpatterns = [
    path("vaccination/", coverage, name="coverage"),
    path("vaccination/overdue/", overdue, name="overdue"),
    path("vaccination/sites/", site_list, name="site_list"),
    path("vaccination/roster/", roster, name="roster"),
    path("vaccination/adverse-events/", adverse_list, name="adverse_list"),
    path("vaccination/adverse-events/<int:event_id>/", adverse_follow, name="adverse_follow"),
]
