"""Referral pages: the inbox (incoming, outgoing, escalated tabs), one referral in full
(audited), acknowledging with htmx, referring a contact outside the city, and the exports
of outgoing external referrals. Reads go through tracing.queries.referrals; changes
through tracing.services.referrals."""

import itertools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability, covers
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_id_number
from epicommand.core.models import FileJob
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list, wants_partial

from ..models import Case, Degree, Referral
from ..queries import referrals as queries
from ..services import referral_exports
from ..services import referrals as services

C = Capability
TABS = (
    ("incoming", gettext_lazy("Incoming")),
    ("outgoing", gettext_lazy("Outgoing")),
    ("escalated", gettext_lazy("Escalated")),
)


def _row_context(request, referral: Referral, now) -> dict:
    """What a row shows beside the referral: overdue, and whether this user acknowledges."""
    return {
        "referral": referral,
        "masked_id": mask_id_number(referral.id_number),
        "overdue": queries.is_overdue(referral, now),
        "may_acknowledge": request.user.can(C.HANDLE_REFERRALS)
        and referral.status in queries.OPEN
        and covers(request.user, referral.region_id),
    }


@require_safe
@capability_required(C.VIEW_CASES)
def referral_inbox(request):
    tab = request.GET.get("tab", "incoming")
    tab = tab if tab in queries.DIRECTIONS else "incoming"
    status = request.GET.get("status", "")
    status = status if status in Referral.Status.values else ""
    rows, next_after = queries.referral_page(
        request.user, direction=tab, status=status, after=parse_cursor(request.GET.get("after"))
    )
    now = timezone.now()
    context = {
        "tab": tab,
        "tabs": TABS,
        "status": status,
        "statuses": Referral.Status.choices,
        "rows": [_row_context(request, r, now) for r in rows],
        "next_after": next_after,
        "query": query_without_cursor(request),
        "open_count": queries.open_incoming_count(request.user),
    }
    return render_list(
        request, "tracing/referral_inbox.html", "tracing/referral_inbox_rows.html", context
    )


@require_safe
@capability_required(C.VIEW_CASES)
def referral_detail(request, referral_id: int):
    referral = queries.visible_referral(request.user, referral_id)
    services.note_referral_viewed(request.user, referral)
    context = {"row": _row_context(request, referral, timezone.now()), "referral": referral}
    response = render(request, "tracing/referral_detail.html", context)
    response["Cache-Control"] = "no-store, private"  # the ID number and phone in full
    return response


@require_POST
@capability_required(C.HANDLE_REFERRALS)
def referral_acknowledge(request, referral_id: int):
    """htmx swaps the row in place; without htmx, back to where the user came from."""
    referral = queries.visible_referral(request.user, referral_id)
    error = ""
    try:
        referral = services.acknowledge(request.user, referral)
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", None) or [str(exc)])
    referral = queries.visible_referral(request.user, referral_id)
    if wants_partial(request):
        context = {"row": _row_context(request, referral, timezone.now()), "error": error}
        return render(request, "tracing/referral_row.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Referral of %(name)s acknowledged.") % {"name": referral.name})
    return redirect("tracing:referral_detail", referral_id=referral.pk)


class OutsideReferralForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    destination_code = forms.CharField(
        label=gettext_lazy("Region code where they live"),
        max_length=12,
        help_text=gettext_lazy("6-digit administrative code, e.g. 110105 (Chaoyang, Beijing)"),
    )
    degree = forms.ChoiceField(label=gettext_lazy("Degree"), choices=Degree.choices)
    last_exposure_at = forms.DateTimeField(
        label=gettext_lazy("Last exposure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=20, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)


@require_http_methods(["GET", "POST"])
@capability_required(C.INVESTIGATE)
def referral_outside_new(request, case_id: int):
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=case_id)
    form = OutsideReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.refer_outside(request.user, case, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s referred to %(dest)s.")
                % {"name": referral.name, "dest": referral.destination},
            )
            return redirect("tracing:referral_detail", referral_id=referral.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "case": case}
    return render(request, "tracing/referral_outside_form.html", context, status=status)


def _export(request, chunks, content_type: str, filename: str):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
@capability_required(C.HANDLE_REFERRALS)
def referral_export_csv(request):
    """Streams the CSV; services.referral_exports writes the audit event before it."""
    status = request.GET.get("status", "")
    status = status if status in Referral.Status.values else ""
    # The byte-order mark makes Excel, which most offices open CSVs with, read UTF-8.
    exported = referral_exports.export_csv(request.user, status=status)
    if isinstance(exported, FileJob):
        return redirect("web:file_detail", job_id=exported.pk)
    chunks = itertools.chain(["\ufeff"], exported)
    return _export(request, chunks, "text/csv; charset=utf-8", "referrals.csv")


@require_safe
@capability_required(C.HANDLE_REFERRALS)
def referral_export_json(request):
    status = request.GET.get("status", "")
    status = status if status in Referral.Status.values else ""
    chunks = referral_exports.export_json(request.user, status=status)
    if isinstance(chunks, FileJob):
        return redirect("web:file_detail", job_id=chunks.pk)
    return _export(request, chunks, "application/json", "referrals.json")


urlpatterns = [
    path("referrals/", referral_inbox, name="referral_inbox"),
    path("referrals/export.csv", referral_export_csv, name="referral_export_csv"),
    path("referrals/export.json", referral_export_json, name="referral_export_json"),
    path("referrals/<int:referral_id>/", referral_detail, name="referral_detail"),
    path(
        "referrals/<int:referral_id>/acknowledge/",
        referral_acknowledge,
        name="referral_acknowledge",
    ),
    path("referrals/outside/<int:case_id>/", referral_outside_new, name="referral_outside_new"),
]
