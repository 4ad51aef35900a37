"""Routine prevention's pages: the units (the soonest due first), a unit's page with its
score, history, rectifications and the clusters passing through it, the inspector's phone
form, the rectifications board, the disinfection records and the terminal disinfection
tasks, and the units of a cluster."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.tracing.models import Cluster

from . import queries
from .forms import (
    CloseTaskForm,
    DisinfectionRecordForm,
    InspectionForm,
    StaffForm,
    UnitForm,
    service_field,
)
from .models import DisinfectionTask, Inspection, InspectionPhoto, PreventionUnit, Rectification
from .services import disinfection, inspections, staff, units


def _unit(request, unit_id: int) -> PreventionUnit:
    return get_object_or_404(
        PreventionUnit.objects.visible_to(request.user).select_related("region", "venue"),
        pk=unit_id,
    )


def _next(rows) -> int | None:
    return rows[-1].pk if len(rows) == queries.PAGE else None


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def unit_list(request):
    due = request.GET.get("due") == "1"
    rows = queries.unit_page(
        request.user,
        after=parse_cursor(request.GET.get("after")),
        category=request.GET.get("category", ""),
        due=due,
        region=request.GET.get("region", ""),
    )
    context = {
        "units": rows,
        "next_after": _next(rows),
        "due": due,
        "categories": queries.category_names(),
        "category": request.GET.get("category", ""),
        "may_register": request.user.can(Capability.MANAGE_PREVENTION),
        "now": timezone.now(),
    }
    return render(request, "prevention/unit_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_PREVENTION)
def unit_register(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = units.register_unit(request.user, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("Unit registered: due for its first inspection."))
            return redirect("prevention:unit_detail", unit.pk)
    return render(request, "prevention/unit_register.html", {"form": form})


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def unit_detail(request, unit_id: int):
    unit = _unit(request, unit_id)
    labels = {item.code: item.label for item in inspections.checklist_of(unit)}
    history = queries.unit_history(unit)
    for inspection in history:  # in the reader's language, not the inspector's
        inspection.failed_labels = [
            labels.get(item["code"], item["label"])
            for item in inspection.items
            if not item["passed"]
        ]
    context = {
        "unit": unit,
        "category": queries.category_names().get(unit.category, unit.category),
        "history": history,
        "rectifications": queries.rectifications_of(unit),
        "clusters": queries.clusters_of_unit(request.user, unit),
        "may_inspect": request.user.can(Capability.INSPECT_UNITS),
        "now": timezone.now(),
    }
    return render(request, "prevention/unit_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.INSPECT_UNITS)
def unit_inspect(request, unit_id: int):
    """The inspector's phone form: each item passed or failed, a photo for each failure."""
    unit = _unit(request, unit_id)
    checklist = inspections.checklist_of(unit)
    form = InspectionForm(request.POST or None, request.FILES or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        results, photos = form.answers()
        try:
            inspection = inspections.inspect_unit(
                request.user, unit, results=results, photos=photos, note=form.cleaned_data["note"]
            )
        except ValidationError as refused:
            apply_errors(
                form,
                ValidationError({service_field(k): v for k, v in refused.message_dict.items()}),
            )
        else:
            if inspection.failed:
                messages.warning(
                    request,
                    _("%(n)d items failed: a rectification is open for the unit.")
                    % {"n": inspection.failed},
                )
            else:
                messages.success(request, _("Inspection recorded: every item passed."))
            return redirect("prevention:unit_detail", unit.pk)
    return render(request, "prevention/unit_inspect.html", {"unit": unit, "form": form})


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def inspection_photo(request, photo_id: int):
    photo = get_object_or_404(
        InspectionPhoto.objects.filter(inspection__in=Inspection.objects.visible_to(request.user)),
        pk=photo_id,
    )
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def rectification_board(request):
    overdue = request.GET.get("overdue") == "1"
    status = request.GET.get("status", "open")
    rows = queries.rectification_board(
        request.user,
        after=parse_cursor(request.GET.get("after")),
        overdue=overdue,
        status=status,
        region=request.GET.get("region", ""),
    )
    context = {
        "rectifications": rows,
        "next_after": _next(rows),
        "overdue": overdue,
        "status": status,
        "statuses": Rectification.Status.choices,
        "now": timezone.now(),
    }
    return render(request, "prevention/rectification_board.html", context)


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def disinfection_task_list(request):
    status = request.GET.get("status", "open")
    rows = queries.disinfection_tasks(
        request.user,
        after=parse_cursor(request.GET.get("after")),
        status=status,
        region=request.GET.get("region", ""),
    )
    context = {
        "tasks": rows,
        "next_after": _next(rows),
        "status": status,
        "statuses": DisinfectionTask.Status.choices,
        "now": timezone.now(),
    }
    return render(request, "prevention/disinfection_tasks.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_PREVENTION)
def disinfection_task_detail(request, task_id: int):
    task = get_object_or_404(
        DisinfectionTask.objects.visible_to(request.user).select_related("assignee", "record"),
        pk=task_id,
    )
    may_close = request.user.can(Capability.DISINFECT) and task.status == task.Status.OPEN
    form = CloseTaskForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and may_close and form.is_valid():
        try:
            disinfection.close_task(request.user, task, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("Terminal disinfection recorded."))
            return redirect("prevention:disinfection_task", task.pk)
    context = {"task": task, "form": form, "may_close": may_close}
    return render(request, "prevention/disinfection_task.html", context)


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def disinfection_evidence(request, task_id: int):
    task = get_object_or_404(
        DisinfectionTask.objects.visible_to(request.user).exclude(evidence=""), pk=task_id
    )
    return FileResponse(task.evidence.open("rb"))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_PREVENTION)
def disinfection_records(request):
    form = DisinfectionRecordForm(request.POST or None)
    may_record = request.user.can(Capability.DISINFECT)
    if request.method == "POST" and may_record and form.is_valid():
        try:
            disinfection.record_disinfection(request.user, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("Disinfection recorded."))
            return redirect("prevention:disinfection_records")
    context = {
        "records": queries.disinfection_records(request.user),
        "form": form,
        "may_record": may_record,
    }
    return render(request, "prevention/disinfection_records.html", context)


@require_safe
@capability_required(Capability.VIEW_PREVENTION)
def cluster_units(request, cluster_id: int):
    """The units at the places of a cluster's cases, with their score and history link."""
    cluster = get_object_or_404(Cluster.objects.visible_to(request.user), pk=cluster_id)
    context = {
        "cluster": cluster,
        "units": queries.units_of_cluster(request.user, cluster),
        "categories": queries.category_names(),
    }
    return render(request, "prevention/cluster_units.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_PREVENTION)
def staff_list(request):
    """Staff in key positions, the soonest due first; a unit's county registers them."""
    overdue = request.GET.get("overdue") == "1"
    unit_id = parse_cursor(request.GET.get("unit"))
    unit = _unit(request, unit_id) if unit_id else None
    may_register = unit is not None and request.user.can(Capability.MANAGE_PREVENTION)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and may_register and form.is_valid():
        try:
            staff.register_staff(request.user, unit, **form.cleaned_data)
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            messages.success(request, _("Registered: due for a test at once."))
            return redirect(f"{request.path}?unit={unit.pk}")
    rows = queries.staff_page(
        request.user,
        after=parse_cursor(request.GET.get("after")),
        overdue=overdue,
        unit_id=unit_id,
    )
    for row in rows:  # lists show persons masked (core.masking)
        row.masked_name = mask_name(row.person.name)
    context = {
        "staff": rows,
        "next_after": _next(rows),
        "overdue": overdue,
        "unit": unit,
        "form": form,
        "may_register": may_register,
        "positions": queries.position_names(),
        "now": timezone.now(),
    }
    return render(request, "prevention/staff_list.html", context)


urlpatterns = [
    path("prevention/staff/", staff_list, name="staff_list"),
    path("prevention/units/", unit_list, name="unit_list"),
    path("prevention/units/new/", unit_register, name="unit_register"),
    path("prevention/units/<int:unit_id>/", unit_detail, name="unit_detail"),
    path("prevention/units/<int:unit_id>/inspect/", unit_inspect, name="unit_inspect"),
    path("prevention/photos/<int:photo_id>/", inspection_photo, name="inspection_photo"),
    path("prevention/rectifications/", rectification_board, name="rectification_board"),
    path("prevention/disinfection/", disinfection_task_list, name="disinfection_tasks"),
    path(
        "prevention/disinfection/<int:task_id>/",
        disinfection_task_detail,
        name="disinfection_task",
    ),
    path(
        "prevention/disinfection/<int:task_id>/evidence/",
        disinfection_evidence,
        name="disinfection_evidence",
    ),
    path("prevention/disinfection/records/", disinfection_records, name="disinfection_records"),
    path("prevention/clusters/<int:cluster_id>/", cluster_units, name="cluster_units"),
]
