"""Venue pages and printable place-code posters (the public page a place code opens is the
resident's check-in, control.views.scans). Venues are not person-level records, so any
place.view role sees every venue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.core.pages.regions import regions_in_scope

from . import services
from .codes import place_code
from .forms import VenueFilterForm, VenueForm
from .models import Venue
from .posters import poster_png, poster_svg, scan_url

PAGE_SIZE = 50
POSTER_TYPES = {"png": (poster_png, "image/png"), "svg": (poster_svg, "image/svg+xml")}


def _filtered_venues(form: VenueFilterForm):
    venues = Venue.objects.select_related("region")
    if form.is_valid():
        if form.cleaned_data["region"]:
            venues = venues.in_region(form.cleaned_data["region"].strip())
        if form.cleaned_data["kind"]:
            venues = venues.filter(kind=form.cleaned_data["kind"])
    return venues


@require_safe
@capability_required(Capability.VIEW_PLACES)
def venue_list(request):
    form = VenueFilterForm(request.GET)
    venues = _filtered_venues(form)
    after = parse_cursor(request.GET.get("after"))
    if after is not None:
        venues = venues.filter(id__gt=after)
    rows = list(venues.order_by("id")[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "venues": rows[:PAGE_SIZE],
        "query": query_without_cursor(request),
        "next_after": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
    }
    return render_list(request, "places/venue_list.html", "places/_venue_results.html", context)


@require_safe
@capability_required(Capability.VIEW_PLACES)
def venue_detail(request, venue_id: int):
    venue = get_object_or_404(Venue.objects.select_related("region"), pk=venue_id)
    base_url = request.build_absolute_uri("/")
    return render(
        request,
        "places/venue_detail.html",
        {
            "venue": venue,
            "place_code": place_code(venue),
            "scan_url": scan_url(venue, base_url),
        },
    )


@require_safe
@capability_required(Capability.VIEW_PLACES)
def venue_poster(request, venue_id: int, fmt: str):
    if fmt not in POSTER_TYPES:
        raise Http404
    venue = get_object_or_404(Venue, pk=venue_id)
    render_poster, content_type = POSTER_TYPES[fmt]
    response = HttpResponse(
        render_poster(venue, base_url=request.build_absolute_uri("/")), content_type=content_type
    )
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="place-{venue.pk}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_PLACES)
def venue_new(request):
    form = VenueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.register_venue(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Venue %(name)s registered.") % {"name": venue.name})
            return redirect("places:venue_detail", venue_id=venue.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "places/venue_form.html",
        {"form": form, "regions": regions_in_scope(request.user)},
        status=status,
    )
