"""Place-code scan pages.

Staff: /scans/ lists the scans of the persons in the user's jurisdiction (masked, keyset
pages, filters) and /scans/person/<id>/ one person's scans, an audited view.

Public: the page a venue's poster opens (/p/<token>/; places.codes resolves the code). An
identified resident checks in with one button; the answer is the screen the door attendant
reads: the colour as a full-width band, the masked name, the venue, the time of the scan,
and a running clock, so that a screenshot of an old check-in does not pass for a new one."""

from datetime import datetime, time, timedelta

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.people import lookup
from epicommand.people.models import Person
from epicommand.places.codes import InvalidPlaceCode, resolve_place_code
from epicommand.places.models import Venue

from .. import identity
from ..models import ScanMethod
from ..queries.scans import ScanFilter, scan_page
from ..services import scans as services
from .resident import identify_url


class ScanFilterForm(forms.Form):
    venue = forms.IntegerField(
        label=_("venue number"), required=False, min_value=1, max_value=MAX_ID
    )
    id_number = forms.CharField(label=_("ID or passport number"), max_length=20, required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("to (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_id_number(self):
        return "".join(self.cleaned_data["id_number"].split()).upper()

    def time_range(self):
        """The dates as aware local times (Asia/Shanghai), the end exclusive."""
        start = end = None
        if self.cleaned_data.get("date_from"):
            start = _local_midnight(self.cleaned_data["date_from"])
        if self.cleaned_data.get("date_to"):
            end = _local_midnight(self.cleaned_data["date_to"] + timedelta(days=1))
        return start, end


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _private(response):
    # Where a person has been must not linger in shared or proxy caches.
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
@capability_required(Capability.VIEW_SCANS)
def scan_list(request):
    form = ScanFilterForm(request.GET or None)
    context = {"form": form, "query": query_without_cursor(request), "person": None}
    if form.is_bound and not form.is_valid():
        context |= {"scans": [], "next_after": None}
        return _private(
            render_list(request, "control/scan_list.html", "control/_scan_rows.html", context)
        )
    data = form.cleaned_data if form.is_bound else {}
    person = None
    if data.get("id_number"):
        # The movements of an identified person: visible persons only, and audited.
        # Scoped: one's movements are read only by the district one lives in.
        person = lookup.find_by_document(request.user, data["id_number"])
        if person is not None:
            services.note_scans_viewed(request.user, person, channel="web scan list")
    if data.get("id_number") and person is None:
        rows, next_after = [], None
    else:
        start, end = form.time_range() if form.is_bound else (None, None)
        filters = ScanFilter(
            person_id=person.pk if person else None,
            venue_id=data.get("venue"),
            since=start,
            until=end,
        )
        rows, next_after = scan_page(request.user, filters, after=request.GET.get("after"))
    venue = Venue.objects.filter(pk=data["venue"]).first() if data.get("venue") else None
    context |= {"scans": rows, "next_after": next_after, "venue": venue, "searched": person}
    return _private(
        render_list(request, "control/scan_list.html", "control/_scan_rows.html", context)
    )


@require_safe
@capability_required(Capability.VIEW_SCANS)
def scan_person(request, person_id: int):
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("region"), pk=person_id
    )
    services.note_scans_viewed(request.user, person)
    filters = ScanFilter(person_id=person.pk)
    rows, next_after = scan_page(request.user, filters, after=request.GET.get("after"))
    context = {
        "person": person,
        "scans": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return _private(
        render_list(request, "control/scan_person.html", "control/_scan_rows.html", context)
    )


# The poster page ----------------------------------------------------------------------------


def check_in(request, venue: Venue):
    """The public page of a valid place code (place_code_page resolved it):
    GET offers the identified resident a "Check in here" button; POST records the scan
    and shows the door attendant's screen."""
    resident = identity.resident_of(request)
    if request.method == "POST" and resident is not None:
        scan = services.record_scan(None, resident, venue, method=ScanMethod.SELF)
        context = {
            "venue": venue,
            "scan": scan,
            "masked_name": mask_name(resident.name),
            "server_now": timezone.now(),
        }
        return _private(render(request, "control/scan_door.html", context))
    context = {
        "venue": venue,
        "resident": resident,
        "masked_name": mask_name(resident.name) if resident else "",
        "identify_url": identify_url(request.path),
        # A POST whose identification ran out meanwhile lands here: identify, check in.
        "identification_expired": request.method == "POST",
    }
    return _private(render(request, "places/place_code.html", context))


@require_http_methods(["GET", "POST"])
def place_code_page(request, token: str):
    """Public: what a phone opens after scanning a venue's poster. No staff login; a
    forged, tampered or rotated code is a plain 404. A valid code's page is the resident's
    check-in (`check_in`): identified residents record their scan there."""
    try:
        venue = resolve_place_code(token)
    except InvalidPlaceCode:
        # Its own 404 page: the person scanning needs to hear the code is bad, not that
        # some page is missing.
        return render(request, "places/place_code_invalid.html", status=404)
    return check_in(request, venue)


urlpatterns = [
    path("p/<str:token>/", place_code_page, name="place_code"),
    path("scans/", scan_list, name="scan_list"),
    path("scans/person/<int:person_id>/", scan_person, name="scan_person"),
]
