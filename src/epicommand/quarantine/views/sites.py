"""Site pages: the list of sites, setting a site up and adding its rooms, the site
manager's room board, and citywide occupancy with the capacity forecast.

The room board (/quarantine/sites/<id>/board/) is a floor grid of rooms coloured by
status: the page reads the site's floors with their counts in one grouped query and draws
the first floor (or the floor asked for) from one query for its rooms and one for the
stays in them; the other floors load one by one through htmx as they scroll into view,
so a 4,156-room camp opens as fast as a hotel. Clicking a room opens its panel: the
occupants (masked) and their days remaining, and for staff the form to assign a person
to it and the room's status; an assignment redraws the room's cell in place."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.masking import mask_name
from epicommand.core.models import Region
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list, wants_partial
from epicommand.core.pages.regions import regions_in_scope
from epicommand.people import lookup

from ..forms.sites import AssignForm, BoardFilterForm, RoomsForm, RoomStatusForm, SiteForm
from ..models import Room, Site
from ..queries import sites as queries
from ..services import capacity
from ..services import sites as services
from ..services import stays as stay_services

C = Capability
# A building (or filtered part of the board) up to this many rooms is drawn whole at once;
# a larger one draws its first floor and loads the others as they scroll into view.
DRAWN_AT_ONCE = 1200


def _private(response):
    # Names on the board (masked) and who is where must not linger in shared caches.
    response["Cache-Control"] = "no-store, private"
    return response


# Sites ---------------------------------------------------------------------------------------


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def site_list(request):
    rows, next_after = queries.site_page(
        request.user,
        region=request.GET.get("region") or None,
        kind=request.GET.get("kind", "") if request.GET.get("kind") in Site.Kind.values else "",
        after=request.GET.get("after"),
    )
    context = {
        "sites": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "kinds": Site.Kind.choices,
    }
    return render_list(
        request, "quarantine/site_list.html", "quarantine/site_list_rows.html", context
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_QUARANTINE_SITES)
def site_new(request):
    form = SiteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.create_site(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Site %(name)s set up: now add its rooms.") % {"name": site.name}
            )
            return redirect("quarantine:site_rooms_new", site.pk)
    return _site_form(request, form, None)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_QUARANTINE_SITES)
def site_edit(request, site_id: int):
    site = queries.visible_site(request.user, site_id)
    form = SiteForm(request.POST or None, user=request.user, initial=SiteForm.initial_for(site))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_site(request.user, site, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Site %(name)s saved.") % {"name": site.name})
            return redirect("quarantine:site_list")
    return _site_form(request, form, site)


def _site_form(request, form, site):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "site": site, "regions": regions_in_scope(request.user)}
    return render(request, "quarantine/site_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_QUARANTINE_SITES)
def site_rooms_new(request, site_id: int):
    site = queries.visible_site(request.user, site_id)
    form = RoomsForm(request.POST or None, initial={"floor_from": 1, "floor_to": 1, "beds": 1})
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_rooms(request.user, site, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d rooms added to %(site)s.") % {"n": added, "site": site.name},
            )
            return redirect("quarantine:room_board", site.pk)
    _floors, totals = queries.board_floors(site)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "site": site, "totals": totals}
    return render(request, "quarantine/site_rooms_form.html", context, status=status)


# The room board ------------------------------------------------------------------------------


def _describe(rooms: list[queries.BoardRoom], statuses: dict) -> None:
    """What a cell says on hover: the room, its status, who is in it and for how long."""
    for room in rooms:
        parts = [room.label, str(statuses[room.status])]
        for occupant in room.occupants:
            parts.append(
                _("%(name)s, %(status)s, %(n)d days left")
                % {
                    "name": occupant.masked_name,
                    "status": occupant.status_label,
                    "n": occupant.days_remaining,
                }
            )
        room.title = " · ".join(parts)


def _board_rooms(site, **where) -> list[queries.BoardRoom]:
    rooms = queries.board_rooms(site, **where)
    _describe(rooms, dict(Room.Status.choices))
    return rooms


def room_cells(rooms: list[queries.BoardRoom], board_url: str, *, oob: bool = False) -> str:
    """The grid's cells, built here rather than by a template include per room: a camp's
    4,156 cells render in milliseconds. Each is a link to the room's panel (the grid
    boosts them into #room-panel), coloured by status, striped while in transfer, with
    the days remaining; its title tells the rest on hover."""
    swap = ' hx-swap-oob="true"' if oob else ""
    cells = []
    for room in rooms:
        classes = f"room {room.status} transfer" if room.in_transfer else f"room {room.status}"
        days = room.days_remaining
        cells.append(
            f'<a id="room-{room.id}" class="{classes}" href="{board_url}rooms/{room.id}/" '
            f'title="{escape(room.title)}" data-status="{room.status}"{swap}>'
            f"{escape(room.number)}{'' if days is None else f'<small>{days}</small>'}</a>"
        )
    return mark_safe("".join(cells))  # noqa: S308  every value above is escaped or ours


def _filters(request, floors) -> tuple[BoardFilterForm, str | None, int | None]:
    form = BoardFilterForm(request.GET or None, floors=floors)
    if form.is_bound and form.is_valid():
        building = form.cleaned_data["building"]
        building = building if "building" in request.GET and building != "" else None
        return form, building, form.cleaned_data["floor"]
    return BoardFilterForm(floors=floors), None, None


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def room_board(request, site_id: int):
    site = queries.visible_site(request.user, site_id)
    floors, totals = queries.board_floors(site)
    form, building, floor = _filters(request, floors)
    shown = [
        f
        for f in floors
        if (building is None or f.building == building) and (floor is None or f.floor == floor)
    ]
    # Everything shown at once when it is small (one query for all of it); else the first
    # floor, and the others load as they scroll into view.
    if sum(f.counts.total for f in shown) <= DRAWN_AT_ONCE:
        rooms = _board_rooms(site, building=building, floor=floor) if shown else []
        drawn = {f.key for f in shown}
    else:
        first = shown[0]
        rooms = _board_rooms(site, building=first.building, floor=first.floor)
        drawn = {first.key}
    by_floor: dict[str, list] = {}
    for room in rooms:
        by_floor.setdefault(f"{room.building}-{room.floor}", []).append(room)
    board_url = reverse("quarantine:room_board", args=[site.pk])
    for f in shown:
        f.cells = room_cells(by_floor.get(f.key, []), board_url) if f.key in drawn else None
    context = {
        "site": site,
        "floors": shown,
        "totals": totals,
        "form": form,
        "may_work": request.user.can(C.WORK_QUARANTINE),
        "may_manage": request.user.can(C.MANAGE_QUARANTINE_SITES),
        "statuses": Room.Status.choices,
    }
    if wants_partial(request):
        return _private(render(request, "quarantine/room_board_floors.html", context))
    return _private(render(request, "quarantine/room_board.html", context))


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def room_board_floor(request, site_id: int):
    """One floor's grid (htmx loads the floors as they scroll into view); without a floor,
    a whole building (or the whole site): still one query for rooms, one for stays."""
    site = queries.visible_site(request.user, site_id)
    building = request.GET.get("building")
    if building is not None and (len(building) > 20 or "\x00" in building):
        raise Http404("no such building")
    floor = None
    if request.GET.get("floor"):
        try:
            floor = int(request.GET["floor"])
        except ValueError:
            raise Http404("no such floor") from None
        if not -5 <= floor <= services.MAX_FLOOR:
            raise Http404("no such floor")
    rooms = _board_rooms(site, building=building, floor=floor)
    return _private(
        render(
            request,
            "quarantine/room_board_grid.html",
            {"cells": room_cells(rooms, reverse("quarantine:room_board", args=[site.pk]))},
        )
    )


def _room_context(request, site: Site, room: Room, form=None, status_form=None) -> dict:
    (board_room,) = _board_rooms(site, room_ids=[room.pk])
    may_work = request.user.can(C.WORK_QUARANTINE)
    assignable = room.status == Room.Status.FREE or (
        room.kind == Room.Kind.FAMILY
        and room.status == Room.Status.OCCUPIED
        and room.occupants < room.beds
    )
    return {
        "partial": wants_partial(request),
        "site": site,
        "room": board_room,
        "db_room": room,
        "assignable": may_work and assignable and site.is_active,
        "may_set_status": (may_work or request.user.can(C.MANAGE_QUARANTINE_SITES))
        and room.status != Room.Status.OCCUPIED,
        "form": form or AssignForm(),
        "status_form": status_form or RoomStatusForm(),
        "status_choices": [
            (s, label)
            for s, label in Room.Status.choices
            if s not in (Room.Status.OCCUPIED, room.status)
        ],
    }


def _panel(request, site, room, *, status=200, oob=False, **forms):
    context = _room_context(request, site, room, **forms)
    if oob:
        context["oob"] = True
        _floors, context["totals"] = queries.board_floors(site)
        board_url = reverse("quarantine:room_board", args=[site.pk])
        context["cell"] = room_cells([context["room"]], board_url, oob=True)
    if wants_partial(request):
        return _private(render(request, "quarantine/room_board_panel.html", context))
    return _private(render(request, "quarantine/room_board_room.html", context, status=status))


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def room_panel(request, site_id: int, room_id: int):
    site = queries.visible_site(request.user, site_id)
    room = queries.visible_room(request.user, site, room_id)
    return _panel(request, site, room)


@require_POST
@capability_required(C.WORK_QUARANTINE)
def room_assign(request, site_id: int, room_id: int):
    """Assign a person (by ID number) to this room from the board."""
    site = queries.visible_site(request.user, site_id)
    room = queries.visible_room(request.user, site, room_id)
    form = AssignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Outside jurisdiction: a site receives people from across the city (audited;
        # answered masked).
        person = lookup.find_outside_jurisdiction(
            request.user, data["id_number"], purpose=lookup.Purpose.QUARANTINE_ADMISSION
        )
        if person is None:
            form.add_error("id_number", _("no person registered with this ID number"))
        else:
            try:
                pickup_at = data["pickup_at"]
                stay = stay_services.assign_stay(
                    request.user,
                    person,
                    reason=data["reason"],
                    site=site,
                    room=room,
                    pickup_address=data["pickup_address"],
                    vehicle=data["vehicle"],
                    pickup_at=pickup_at,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                room.refresh_from_db()
                messages.success(
                    request,
                    _("%(name)s assigned to room %(room)s; in transfer until arrival.")
                    % {"name": mask_name(person.name), "room": room},
                )
                if not wants_partial(request):
                    return redirect("quarantine:stay_detail", stay.pk)
                return _panel(request, site, room, oob=True)
    return _panel(request, site, room, form=form, status=400)


@require_POST
@capability_required(C.VIEW_QUARANTINE)
def room_status(request, site_id: int, room_id: int):
    if not (request.user.can(C.WORK_QUARANTINE) or request.user.can(C.MANAGE_QUARANTINE_SITES)):
        raise PermissionDenied(C.WORK_QUARANTINE)
    site = queries.visible_site(request.user, site_id)
    room = queries.visible_room(request.user, site, room_id)
    form = RoomStatusForm(request.POST)
    if form.is_valid():
        try:
            room = services.set_room_status(
                request.user, room, form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Room %(room)s: %(status)s.")
                % {"room": room, "status": room.get_status_display()},
            )
            if not wants_partial(request):
                return redirect("quarantine:room_panel", site.pk, room.pk)
            return _panel(request, site, room, oob=True)
    return _panel(request, site, room, status_form=form, status=400)


# Occupancy and the capacity forecast -----------------------------------------------------------


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def occupancy(request):
    found = queries.occupancy(request.user)
    site = None
    if request.GET.get("site"):
        site = queries.visible_site(request.user, request.GET["site"])
    region = request.user.scope_region or Region(name="")
    forecast, per_site = capacity.overview(request.user, label=region.name)
    if site is not None:
        forecast = next((f for f in per_site if f.site.pk == site.pk), None)
        if forecast is None:  # a site out of use: its own county's reading
            (forecast,) = capacity.site_forecasts(request.user, site=site)
    warnings = [f for f in per_site if f.warning]
    by_site = {f.site.pk: f for f in per_site}
    for row in found.sites if found is not None else []:
        row.forecast = by_site.get(row.site.pk)
    context = {
        "occupancy": found,
        "forecast": forecast,
        "site": site,
        "warnings": warnings,
        "chart": {
            "days": [d.day.isoformat() for d in forecast.days],
            "balance": [round(d.balance, 1) for d in forecast.days],
            "released": [round(d.released, 1) for d in forecast.days],
            "expected": [round(d.expected, 1) for d in forecast.days],
            "warning_days": forecast.warning_days,
            "labels": {
                "balance": _("rooms left"),
                "released": _("rooms freed by releases"),
                "expected": _("expected new contacts"),
                "zero": _("no room left"),
            },
        },
        "now": timezone.now(),
    }
    return render(request, "quarantine/occupancy_overview.html", context)


urlpatterns = [
    path("quarantine/sites/", site_list, name="site_list"),
    path("quarantine/sites/new/", site_new, name="site_new"),
    path("quarantine/sites/<int:site_id>/edit/", site_edit, name="site_edit"),
    path("quarantine/sites/<int:site_id>/rooms/new/", site_rooms_new, name="site_rooms_new"),
    path("quarantine/sites/<int:site_id>/board/", room_board, name="room_board"),
    path("quarantine/sites/<int:site_id>/board/floor/", room_board_floor, name="room_board_floor"),
    path(
        "quarantine/sites/<int:site_id>/board/rooms/<int:room_id>/",
        room_panel,
        name="room_panel",
    ),
    path(
        "quarantine/sites/<int:site_id>/board/rooms/<int:room_id>/assign/",
        room_assign,
        name="room_assign",
    ),
    path(
        "quarantine/sites/<int:site_id>/board/rooms/<int:room_id>/status/",
        room_status,
        name="room_status",
    ),
    path("quarantine/occupancy/", occupancy, name="occupancy"),
]
