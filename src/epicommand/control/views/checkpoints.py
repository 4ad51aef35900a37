"""Checkpoint pages.

The officer's phone screen (/checkpoints/<id>/record/): one box for the ID number or the
scanned health code, the temperature, the direction, and for a vehicle its plate, the other
people in it and the permit; the verdict comes back huge and coloured (PASS / RESTRICTED /
DENY) with its reasons, through htmx, and the form is ready for the next passer.

Offices: the checkpoint list (an officer's own posts first), setting checkpoints up, the
checkpoint log with filters, vehicle permits, lockdowns, and the priority-testing list.
Reads start from `visible_to(request.user)` (control.queries.checkpoints); every change goes
through control.services.checkpoints."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability, covers
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list, wants_partial
from epicommand.core.pages.regions import regions_in_scope
from epicommand.testing.services import priority as sampling_plans

from ..forms import (
    CheckpointForm,
    LockdownForm,
    PassageFilterForm,
    PermitForm,
    PriorityFilterForm,
    RecordForm,
    RevokeForm,
)
from ..models import Checkpoint, Direction
from ..queries import checkpoints as queries
from ..services import checkpoints as services

C = Capability
# The checkpoint filter of the log offers at most this many; more are reached by region.
CHECKPOINT_CHOICES = 500


def _private(response):
    # Who passed where must not linger in shared or proxy caches.
    response["Cache-Control"] = "no-store, private"
    return response


# Checkpoints ---------------------------------------------------------------------------------


@require_safe
@capability_required(C.VIEW_CHECKPOINTS)
def checkpoint_list(request):
    mine = queries.staffed_by_my_unit(request.user)
    rows, next_after = queries.checkpoint_page(
        request.user,
        queries.CheckpointFilter(region=request.GET.get("region") or None),
        after=request.GET.get("after"),
        exclude=[c.pk for c in mine],
    )
    context = {
        "mine": mine if not request.GET.get("after") else [],
        "checkpoints": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "control/checkpoint_list.html", "control/checkpoint_list_rows.html", context
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_CHECKPOINTS)
def checkpoint_new(request):
    form = CheckpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = services.create_checkpoint(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Checkpoint %(name)s set up.") % {"name": checkpoint.name})
            return redirect("control:checkpoint_list")
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_CHECKPOINTS)
def checkpoint_edit(request, checkpoint_id: int):
    checkpoint = queries.visible_checkpoint(request.user, checkpoint_id)
    form = CheckpointForm(
        request.POST or None, user=request.user, initial=CheckpointForm.initial_for(checkpoint)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_checkpoint(request.user, checkpoint, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Checkpoint %(name)s saved.") % {"name": checkpoint.name})
            return redirect("control:checkpoint_list")
    return _form_page(request, form, checkpoint)


def _form_page(request, form, checkpoint):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "checkpoint": checkpoint, "regions": regions_in_scope(request.user)}
    return render(request, "control/checkpoint_form.html", context, status=status)


# The officer's phone screen --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(C.RECORD_PASSAGES)
def checkpoint_record(request, checkpoint_id: int):
    checkpoint = queries.visible_checkpoint(request.user, checkpoint_id)
    result, status = None, 200
    if request.method == "POST":
        form = RecordForm(request.POST)
        result = _record(request, checkpoint, form) if form.is_valid() else None
        if result is not None:
            # Ready for the next passer, in the same direction.
            form = RecordForm.fresh(form.cleaned_data["direction"])
        else:
            status = 400
    else:
        form = RecordForm.fresh(Direction.IN)
    if result is not None:
        for passer in result.passers:
            passer.masked_name = mask_name(passer.person.name)
    context = {"checkpoint": checkpoint, "form": form, "result": result}
    if wants_partial(request):
        # htmx swaps only 2xx answers: the form with its errors is the answer here.
        response = render(request, "control/checkpoint_record_panel.html", context)
    else:
        context["lockdowns"] = services.lockdowns_over(checkpoint.region_id)
        response = render(request, "control/checkpoint_record.html", context, status=status)
    return _private(response)


def _record(request, checkpoint: Checkpoint, form: RecordForm):
    data = form.cleaned_data
    try:
        if data["passengers"]:
            return services.record_vehicle(
                request.user,
                checkpoint,
                driver=form.passer_in(),
                passengers=data["passengers"],
                plate=data["plate"],
                direction=data["direction"],
                permit_number=data["permit_number"],
                client_id=data["client_id"],
                came_from=data["came_from"],
                came_from_risk=data["came_from_risk"],
            )
        passer = form.passer_in()
        return services.record_passage(
            request.user,
            checkpoint,
            id_number=passer.id_number,
            health_code=passer.health_code,
            temperature=passer.temperature,
            direction=data["direction"],
            plate=data["plate"],
            permit_number=data["permit_number"],
            client_id=data["client_id"],
            came_from=data["came_from"],
            came_from_risk=data["came_from_risk"],
        )
    except ValidationError as exc:
        _errors_on_form(form, exc)
        return None


# Where the services name a field the screen calls otherwise.
_FIELD_ON_SCREEN = {"id_number": "passer", "health_code": "passer", "checkpoint": None}
_PASSENGER = re.compile(r"^passengers\[(\d+)\]")


def _errors_on_form(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, found in exc.message_dict.items():
        if passenger := _PASSENGER.match(name):
            line = int(passenger[1]) + 1
            found = [_("line %(n)d: %(m)s") % {"n": line, "m": m} for m in found]
            form.add_error("passengers", found)
            continue
        target = _FIELD_ON_SCREEN.get(name, name)
        if target is not None and target not in form.fields:
            form.add_error(None, [f"{name}: {m}" for m in found])
        else:
            form.add_error(target, found)


# The checkpoint log ------------------------------------------------------------------------------


@require_safe
@capability_required(C.VIEW_CHECKPOINTS)
def passage_list(request):
    choices, _next = queries.checkpoint_page(
        request.user, queries.CheckpointFilter(), limit=CHECKPOINT_CHOICES
    )
    form = PassageFilterForm(request.GET or None, checkpoints=choices)
    rows, next_after = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = queries.PassageFilter(
            checkpoint_id=data.get("checkpoint"),
            region=data.get("region") or None,
            verdict=data.get("verdict") or "",
            direction=data.get("direction") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            plate=services.normalize_plate(data.get("plate") or ""),
            fever=bool(data.get("fever")),
        )
        rows, next_after = queries.passage_page(
            request.user, filters, after=request.GET.get("after")
        )
    context = {
        "form": form,
        "passages": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "threshold": services.fever_threshold(),
    }
    return _private(
        render_list(request, "control/passage_list.html", "control/passage_list_rows.html", context)
    )


# Permits ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_CHECKPOINTS)
def permit_list(request):
    may_issue = request.user.can(C.MANAGE_CHECKPOINTS)
    form = PermitForm(request.POST or None) if may_issue else None
    status = 200
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied(C.MANAGE_CHECKPOINTS)
        if form.is_valid():
            try:
                permit = services.issue_permit(request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Permit %(n)s issued for %(p)s, at most %(m)d people.")
                    % {"n": permit.number, "p": permit.plate, "m": permit.max_passengers},
                )
                return redirect("control:permit_list")
        status = 400
    status_filter = request.GET.get("status", "")
    rows, next_after = queries.permit_page(
        request.user,
        plate=services.normalize_plate(request.GET.get("plate", ""))[:16],
        status=status_filter if status_filter in queries.PERMIT_STATUSES else "",
        after=request.GET.get("after"),
    )
    context = {
        "form": form,
        "permits": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "revoke_form": RevokeForm(),
    }
    if request.method == "GET":
        return render_list(
            request, "control/permit_list.html", "control/permit_list_rows.html", context
        )
    return render(request, "control/permit_list.html", context, status=status)


@require_POST
@capability_required(C.MANAGE_CHECKPOINTS)
def permit_revoke(request, permit_id: int):
    permit = queries.visible_permit(request.user, permit_id)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.revoke_permit(request.user, permit, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Permit %(n)s revoked.") % {"n": permit.number})
    return redirect("control:permit_list")


# Lockdowns ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_CHECKPOINTS)
def lockdown_list(request):
    may_declare = request.user.can(C.MANAGE_CHECKPOINTS)
    form = LockdownForm(request.POST or None) if may_declare else None
    status = 200
    if request.method == "POST":
        if not may_declare:
            raise PermissionDenied(C.MANAGE_CHECKPOINTS)
        if form.is_valid():
            try:
                lockdown = services.declare_lockdown(request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("%(r)s is under lockdown.") % {"r": lockdown.region.name}
                )
                return redirect("control:lockdown_list")
        status = 400
    include_lifted = request.GET.get("lifted") == "1"
    lockdowns = queries.lockdown_list(request.user, include_lifted=include_lifted)
    for lockdown in lockdowns:
        lockdown.may_lift = (
            may_declare and lockdown.lifted_at is None and covers(request.user, lockdown.region_id)
        )
    context = {
        "form": form,
        "lockdowns": lockdowns,
        "include_lifted": include_lifted,
        "regions": regions_in_scope(request.user) if may_declare else [],
    }
    return render(request, "control/lockdown_list.html", context, status=status)


@require_POST
@capability_required(C.MANAGE_CHECKPOINTS)
def lockdown_lift(request, lockdown_id: int):
    lockdown = queries.visible_lockdown(request.user, lockdown_id)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.lift_lockdown(request.user, lockdown, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Lockdown of %(r)s lifted.") % {"r": lockdown.region.name})
    return redirect("control:lockdown_list")


# The priority-testing list -----------------------------------------------------------------------


@require_safe
@capability_required(C.VIEW_PRIORITY_TESTS)
def priority_test_list(request):
    form = PriorityFilterForm(request.GET or None)
    rows, next_after = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = queries.PriorityFilter(
            region=data.get("region") or None,
            overdue=bool(data.get("overdue")),
            include_sampled=bool(data.get("include_sampled")),
            reason=data.get("reason") or "",
        )
        rows, next_after = queries.priority_test_page(
            request.user, filters, after=request.GET.get("after")
        )
        # Where and when to sample each: the nearest site or a door-to-door slot.
        sampling_plans.plan_for(rows)
    context = {
        "form": form,
        "may_sample": request.user.can(C.SAMPLE),
        "entries": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "now": timezone.now(),
    }
    return _private(
        render_list(
            request, "control/priority_test_list.html", "control/priority_test_rows.html", context
        )
    )


urlpatterns = [
    path("checkpoints/", checkpoint_list, name="checkpoint_list"),
    path("checkpoints/new/", checkpoint_new, name="checkpoint_new"),
    path("checkpoints/<int:checkpoint_id>/edit/", checkpoint_edit, name="checkpoint_edit"),
    path("checkpoints/<int:checkpoint_id>/record/", checkpoint_record, name="checkpoint_record"),
    path("checkpoints/passages/", passage_list, name="passage_list"),
    path("checkpoints/permits/", permit_list, name="permit_list"),
    path("checkpoints/permits/<int:permit_id>/revoke/", permit_revoke, name="permit_revoke"),
    path("checkpoints/lockdowns/", lockdown_list, name="lockdown_list"),
    path("checkpoints/lockdowns/<int:lockdown_id>/lift/", lockdown_lift, name="lockdown_lift"),
    path("priority-tests/", priority_test_list, name="priority_test_list"),
]
