"""Cold-chain pages: the batches of an enterprise (or of a jurisdiction) with their labels,
a batch's page where an enterprise records receipt and dispatch, the trace-forward graph of
a positive sample, and the public trace page a consumer opens by scanning a label."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core import audit
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from . import codes, queries
from .forms import DispatchForm, ReceiptForm
from .models import Enterprise, PositiveSample
from .services import enterprises, movements


def _visible_batch(request, batch_id: int):
    return get_object_or_404(
        queries.batches_visible_to(request.user).select_related("first_stop").distinct(),
        pk=batch_id,
    )


@require_safe
@capability_required(Capability.VIEW_COLDCHAIN)
def batch_list(request):
    after = parse_cursor(request.GET.get("after"))
    rows = queries.batch_page(request.user, after=after, coded=request.GET.get("coded", ""))
    context = {
        "batches": rows,
        "enterprise": enterprises.acting_enterprise(request.user),
        "next_after": rows[-1].pk if len(rows) == queries.PAGE else None,
    }
    return render(request, "coldchain/batch_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_COLDCHAIN)
def batch_detail(request, batch_id: int):
    batch = _visible_batch(request, batch_id)
    own = enterprises.acting_enterprise(request.user)
    receipt, dispatch = ReceiptForm(prefix="r"), DispatchForm(prefix="d")
    if request.method == "POST" and own is not None and batch.coded_at:
        code = codes.trace_code(batch)
        form = ReceiptForm(request.POST, prefix="r")
        if "d-to_credit_code" in request.POST:
            form = dispatch = DispatchForm(request.POST, prefix="d")
        else:
            receipt = form
        if form.is_valid():
            try:
                if form is dispatch:
                    movements.dispatch(request.user, code, **form.cleaned_data)
                else:
                    movements.receive(request.user, code, **form.cleaned_data)
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                messages.success(request, _("Recorded."))
                return redirect("coldchain:batch_detail", batch.pk)
    context = {
        "batch": batch,
        "enterprise": own,
        "holdings": queries.holdings_of(request.user, batch),
        "events": queries.events_of(request.user, batch),
        "receipt_form": receipt,
        "dispatch_form": dispatch,
        "label_svg": codes.label_svg(batch, request.build_absolute_uri("/"))
        if batch.coded_at
        else "",
        "trace_code": codes.trace_code(batch) if batch.coded_at else "",
    }
    return render(request, "coldchain/batch_detail.html", context)


@require_safe
@capability_required(Capability.VIEW_COLDCHAIN)
def batch_label(request, batch_id: int):
    """The printable label: the QR code of the public trace page, as PNG."""
    batch = _visible_batch(request, batch_id)
    if not batch.coded_at:
        return HttpResponse(_("This batch has no trace code yet."), status=404)
    png = codes.label_png(batch, request.build_absolute_uri("/"))
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="trace-{batch.pk}.png"'
    return response


@require_safe
@capability_required(Capability.VIEW_COLDCHAIN)
def sample_list(request):
    samples = PositiveSample.objects.visible_to(request.user).select_related("enterprise")
    return render(
        request, "coldchain/sample_list.html", {"samples": list(samples.order_by("-pk")[:100])}
    )


@require_safe
@capability_required(Capability.TRACE_COLDCHAIN)
def sample_trace(request, sample_id: int):
    """The trace-forward graph of a positive sample (the city office's view)."""
    sample = get_object_or_404(PositiveSample.objects.visible_to(request.user), pk=sample_id)
    reached = queries.trace_of_sample(sample)
    names = dict(
        Enterprise.objects.filter(pk__in={r.enterprise_id for r in reached}).values_list(
            "pk", "name"
        )
    )
    graph = {
        "nodes": [
            {"id": str(pk), "name": name, "origin": pk == sample.enterprise_id}
            for pk, name in sorted(names.items())
        ],
        "links": [
            {"source": str(s), "target": str(t), "batch": b, "packages": q}
            for s, t, b, q in queries.shipments_between(reached)
        ],
        "labels": {"packages": _("packages"), "batch": _("batch")},
    }
    audit.record(request.user, "coldchain.trace.view", sample)
    return render(
        request,
        "coldchain/sample_trace.html",
        {"sample": sample, "reached": reached, "names": names, "graph": graph},
    )


@require_safe
def public_trace(request, code: str):
    """What a consumer sees on scanning a label: the batch's product and origin and each
    step of its way by enterprise and county; no person. A forged or unknown code says so."""
    try:
        batch = codes.resolve(code)
    except codes.InvalidTraceCode as refused:
        return render(
            request, "coldchain/public_trace.html", {"refused": refused.message}, status=404
        )
    context = {"batch": batch, "steps": queries.public_chain(batch)}
    return render(request, "coldchain/public_trace.html", context)


urlpatterns = [
    path("cold-chain/", batch_list, name="batch_list"),
    path("cold-chain/batches/<int:batch_id>/", batch_detail, name="batch_detail"),
    path("cold-chain/batches/<int:batch_id>/label.png", batch_label, name="batch_label"),
    path("cold-chain/samples/", sample_list, name="sample_list"),
    path("cold-chain/samples/<int:sample_id>/trace/", sample_trace, name="sample_trace"),
    path("t/<str:code>/", public_trace, name="public_trace"),
]
