"""Inbound pages: the port desk (a phone page), the handovers awaiting one's unit, the
closed-loop board with each traveller's stage and late handovers, the county's arrivals
from every source, the flights with their positives and the breaker's status, and the
resident's own declaration of arriving (public, /arrive/). Reads go through inbound.queries
(scoped); changes through inbound.services."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.control import identity
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor

from . import queries
from .forms import ArrivalForm, DeclarationForm, ExchangeFileForm, TransferForm
from .models import Arrival, Handover, Stage, Suspension
from .services import arrivals, declared, exchange, flights, loop

C = Capability


def _desk_arrivals(user):
    since = timezone.now() - timedelta(hours=24)
    return (
        queries.arrivals_of(user)
        .filter(port_unit_id=user.unit_id, created_at__gte=since, stage__in=Stage.values)
        .select_related("flight")
        .order_by("-pk")[:30]
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.WORK_PORT)
def port_desk(request):
    form = ArrivalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        flight = data.pop("flight")
        try:
            arrival = arrivals.register_arrival(
                request.user, source="port_desk", flight=flight, arrived_at=timezone.now(), **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Registered: %(n)s") % {"n": arrival.name})
            return redirect("inbound:port_desk")
    context = {"form": form, "arrivals": _desk_arrivals(request.user), "transfer": TransferForm()}
    return render(request, "inbound/port_desk.html", context)


def _arrival(request, arrival_id: int) -> Arrival:
    return get_object_or_404(queries.arrivals_of(request.user), pk=arrival_id)


def _acted(request, action) -> None:
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))


@require_POST
@capability_required(C.WORK_PORT)
def port_test(request, arrival_id: int):
    arrival = _arrival(request, arrival_id)
    _acted(request, lambda: loop.record_port_test(request.user, arrival))
    return redirect("inbound:port_desk")


@require_POST
@capability_required(C.WORK_PORT)
def transfer(request, arrival_id: int):
    arrival = _arrival(request, arrival_id)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the transfer team, the site and the vehicle."))
        return redirect("inbound:port_desk")
    data = form.cleaned_data
    _acted(
        request,
        lambda: loop.hand_to_transfer(
            request.user,
            arrival,
            transfer_unit=data["transfer_unit"],
            site=data["site"],
            vehicle=data["vehicle"],
        ),
    )
    return redirect("inbound:port_desk")


@require_safe
@capability_required(C.RECEIVE_TRAVELLERS)
def handovers(request):
    rows = queries.handovers_to(request.user, unit_id=request.user.unit_id)
    return render(request, "inbound/handovers.html", {"handovers": rows, "now": timezone.now()})


@require_POST
@capability_required(C.RECEIVE_TRAVELLERS)
def acknowledge(request, handover_id: int):
    handover = get_object_or_404(Handover.objects.visible_to(request.user), pk=handover_id)
    _acted(request, lambda: loop.acknowledge(request.user, handover))
    return redirect("inbound:handovers")


@require_safe
@capability_required(C.VIEW_INBOUND)
def loop_board(request):
    region = request.GET.get("region", "").strip()
    board = queries.loop_board(
        request.user,
        region=region,
        late_only=request.GET.get("late") == "1",
        after=parse_cursor(request.GET.get("after")) or 0,
    )
    context = {
        "board": board,
        "stages": [(s, Stage(s).label, board.by_stage[s]) for s in board.by_stage],
        "alarms": queries.open_alarms(request.user) if request.GET.get("alarms") else None,
        "query": query_without_cursor(request),
        "region": region,
    }
    return render(request, "inbound/loop_board.html", context)


@require_safe
@capability_required(C.VIEW_INBOUND)
def flight_list(request):
    today = timezone.localdate()
    rows = list(
        queries.flights_with_positives(
            request.user, since=today - timedelta(days=14), until=today + timedelta(days=7)
        )[:300]
    )
    for flight in rows:
        flight.suspended = flights.is_suspended(flight.route, today)
    context = {
        "flights": rows,
        "proposed": queries.suspensions(statuses=[Suspension.Status.PROPOSED]),
        "standing": queries.suspensions(statuses=[Suspension.Status.CONFIRMED])[:50],
        "may_confirm": request.user.can(C.CONFIRM_SUSPENSIONS),
    }
    return render(request, "inbound/flight_list.html", context)


@require_POST
@capability_required(C.CONFIRM_SUSPENSIONS)
def decide(request, suspension_id: int, decision: str):
    actions = {"confirm": flights.confirm_suspension, "dismiss": flights.dismiss_suspension}
    if decision not in actions:
        raise Http404("no such decision")
    suspension = get_object_or_404(Suspension, pk=suspension_id)
    action = actions[decision]
    _acted(request, lambda: action(request.user, suspension))
    return redirect("inbound:flights")


@require_safe
@capability_required(C.VIEW_INBOUND)
def arrival_list(request):
    """The county's arrivals from every source, masked, by key."""
    region = request.GET.get("region", "").strip()
    rows, next_after = queries.arrival_page(
        request.user, region=region, after=parse_cursor(request.GET.get("after")) or 0
    )
    context = {
        "arrivals": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "may_import": request.user.can(C.WORK_PORT),
    }
    return render(request, "inbound/arrival_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.WORK_PORT)
def exchange_upload(request):
    """Port staff or an office import another city's travellers: all of them, or none
    with every error's line, column and reason."""
    form = ExchangeFileForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = exchange.import_exchange(request.user, upload, upload.name or "")
        status = 422 if result.error_count else 200
    elif request.method == "POST":
        status = 400
    context = {"form": form, "result": result}
    return render(request, "inbound/exchange.html", context, status=status)


# The resident's own declaration (public, no staff login) ----------------------------------------


def _private(response):
    # A resident's name and trip must not be kept by a shared or proxy cache.
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
def declare_arrival(request):
    """The resident who identified on this phone (control.identity, throttled there)
    declares arriving; anyone else is sent to identify first."""
    person = identity.resident_of(request)
    if person is None:
        target = reverse("control:resident_identify") + "?" + urlencode({"next": request.path})
        return _private(redirect(target))
    form = DeclarationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                arrival = declared.declare(person, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                context = {"arrival": arrival, "masked_name": mask_name(person.name)}
                return _private(render(request, "inbound/declare_done.html", context))
    context = {"form": form, "masked_name": mask_name(person.name)}
    return _private(render(request, "inbound/declare.html", context, status=status))


app_name = "inbound"
urlpatterns = [
    path("inbound/desk/", port_desk, name="port_desk"),
    path("inbound/arrivals/<int:arrival_id>/port-test/", port_test, name="port_test"),
    path("inbound/arrivals/<int:arrival_id>/transfer/", transfer, name="transfer"),
    path("inbound/handovers/", handovers, name="handovers"),
    path("inbound/handovers/<int:handover_id>/acknowledge/", acknowledge, name="acknowledge"),
    path("inbound/loop/", loop_board, name="loop_board"),
    path("inbound/flights/", flight_list, name="flights"),
    path("inbound/arrivals/", arrival_list, name="arrivals"),
    path("inbound/exchange/", exchange_upload, name="exchange"),
    path("arrive/", declare_arrival, name="declare"),
    path(
        "inbound/suspensions/<int:suspension_id>/<str:decision>/",
        decide,
        name="decide",
    ),
]
