"""Cold-chain pages: the batches of an enterprise (or of a jurisdiction) with their labels,
a batch's page where an enterprise records receipt and dispatch, the trace-forward graph of
a positive sample, and the public trace page a consumer opens by scanning a label."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core import audit
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from . import codes, queries
from .forms import CertificateForm, DispatchForm, ReceiptForm
from .models import Certificate, Enterprise, PositiveSample
from .services import batches, enterprises, movements


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
    forms = {
        "receipt_form": ReceiptForm(prefix="r"),
        "dispatch_form": DispatchForm(prefix="d"),
        "certificate_form": CertificateForm(prefix="c"),
    }
    if request.method == "POST" and own is not None:
        if "c-kind" in request.POST:
            done = _attach_on_page(request, batch, forms)
        else:
            done = _movement_on_page(request, batch, forms)
        if done:
            return redirect("coldchain:batch_detail", batch.pk)
    context = _batch_context(request, batch, own, forms)
    return render(request, "coldchain/batch_detail.html", context)


def _movement_on_page(request, batch, forms) -> bool:
    """A receipt or a dispatch typed on the page; True when recorded."""
    if not batch.coded_at:
        return False
    code = codes.trace_code(batch)
    key = "dispatch_form" if "d-to_credit_code" in request.POST else "receipt_form"
    form_class, prefix = (DispatchForm, "d") if key == "dispatch_form" else (ReceiptForm, "r")
    form = forms[key] = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        return False
    record = movements.dispatch if key == "dispatch_form" else movements.receive
    try:
        record(request.user, code, **form.cleaned_data)
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    messages.success(request, _("Recorded."))
    return True


def _attach_on_page(request, batch, forms) -> bool:
    """A certificate uploaded by the batch's first stop (the API's service, the same
    refusals); with the third valid one the batch is coded and its label appears."""
    form = forms["certificate_form"] = CertificateForm(request.POST, request.FILES, prefix="c")
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        batches.attach_certificate(
            request.user,
            batch,
            kind=data["kind"],
            number=data["number"],
            issued_on=data["issued_on"],
            valid_until=data["valid_until"],
            upload=data["file"],
        )
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    if batches.missing_certificates(batch, timezone.localdate()):
        messages.success(request, _("Certificate attached."))
        return True
    try:
        batches.code_batch(request.user, batch)
    except ValidationError as refused:  # coded meanwhile from the API, say
        apply_errors(form, refused)
        return False
    messages.success(request, _("All three certificates are valid: the batch is coded."))
    return True


def _batch_context(request, batch, own, forms) -> dict:
    coded = bool(batch.coded_at)
    today = timezone.localdate()
    missing = {} if coded else batches.missing_certificates(batch, today)
    return {
        "batch": batch,
        "enterprise": own,
        "holdings": queries.holdings_of(request.user, batch),
        "events": queries.events_of(request.user, batch),
        "certificates": _certificate_rows(batch, missing),
        "may_attach": not coded and own is not None and own.pk == batch.first_stop_id,
        **forms,
        "label_svg": codes.label_svg(batch, request.build_absolute_uri("/")) if coded else "",
        "trace_code": codes.trace_code(batch) if coded else "",
    }


def _certificate_rows(batch, missing: dict) -> list[dict]:
    """Each of the three kinds with what is attached and why it does not count yet."""
    held = {c.kind: c for c in batch.certificates.all()}
    return [
        {"kind": label, "certificate": held.get(kind), "problem": missing.get(kind, "")}
        for kind, label in Certificate.Kind.choices
    ]


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
