"""The materials warehouse (stock by item and lot), its forecast, and the requests of the
places it serves: submitted, approved, allocated, confirmed on delivery."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability, covers
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from .. import forecast as forecasting
from .. import queries
from ..forms import RequestForm
from ..models import MaterialRequest
from ..services import requests


@require_safe
@capability_required(Capability.VIEW_MATERIALS)
def warehouse_list(request):
    rows = list(queries.warehouses_visible_to(request.user)[:200])
    region = request.user.scope_region
    serving = queries.warehouse_for_region(region.code) if region is not None else None
    if serving is not None and serving not in rows:
        rows.insert(0, serving)
    return render(request, "supplies/warehouses.html", {"warehouses": rows})


@require_safe
@capability_required(Capability.VIEW_MATERIALS)
def warehouse_detail(request, warehouse_id: int):
    warehouse = queries.visible_warehouse(request.user, warehouse_id)
    context = {
        "warehouse": warehouse,
        "stock": queries.stock_by_item(warehouse, timezone.localdate()),
        "lots": queries.lots_of(warehouse),
    }
    return render(request, "supplies/warehouse.html", context)


@require_safe
@capability_required(Capability.VIEW_MATERIALS)
def forecast_page(request, warehouse_id: int):
    warehouse = queries.visible_warehouse(request.user, warehouse_id)
    result = forecasting.forecast(request.user, warehouse)
    return render(request, "supplies/forecast.html", {"forecast": result})


@require_safe
@capability_required(Capability.VIEW_MATERIALS)
def request_list(request):
    status = request.GET.get("status", "")
    rows = queries.request_page(
        request.user, status=status, after=parse_cursor(request.GET.get("after"))
    )
    context = {
        "requests": rows,
        "status": status,
        "statuses": MaterialRequest.Status.choices,
        "next_after": rows[-1].pk if len(rows) == queries.PAGE else None,
        "may_request": request.user.can(Capability.REQUEST_MATERIALS),
    }
    return render(request, "supplies/requests.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.REQUEST_MATERIALS)
def request_new(request):
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            found = requests.submit_request(request.user, **form.service_values())
        except ValidationError as refused:
            apply_errors(form, form.field_errors(refused))
        else:
            messages.success(request, _("Request sent to %(w)s.") % {"w": found.warehouse})
            return redirect("supplies:request", found.pk)
    return render(request, "supplies/request_new.html", {"form": form})


ACTIONS = {
    "approve": lambda user, r, post: requests.approve_request(user, r),
    "refuse": lambda user, r, post: requests.refuse_request(user, r, reason=post.get("reason")),
    "allocate": lambda user, r, post: requests.allocate(user, r),
    "confirm": lambda user, r, post: requests.confirm_delivery(user, r),
}


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_MATERIALS)
def request_detail(request, request_id: int):
    found = queries.visible_request(request.user, request_id)
    errors = []
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            errors.append(_("unknown action"))
        else:
            try:
                action(request.user, found, request.POST)
            except ValidationError as refused:
                errors = [f"{k}: {' '.join(v)}" for k, v in refused.message_dict.items()]
            else:
                messages.success(request, _("Done."))
                return redirect("supplies:request", found.pk)
    lines = list(
        found.lines.select_related("item").prefetch_related("allocations__lot").order_by("pk")
    )
    user = request.user
    context = {
        "req": found,
        "lines": lines,
        "errors": errors,
        "may_decide": user.can(Capability.MANAGE_MATERIALS)
        and covers(user, found.warehouse.region_id),
        "may_confirm": user.can(Capability.REQUEST_MATERIALS),
    }
    return render(request, "supplies/request_detail.html", context)
