"""Emergency report pages: the list (open first, unsigned ones marked), the filing form, and
the report with the leaders' signatures, its handling steps and the close button. Every read
starts from EmergencyReport.objects.visible_to(request.user); every change goes through
command.services.reports."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.notifications import mark_read, unread_for
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import render_list
from epicommand.core.pages.regions import regions_in_scope

from ..models import EmergencyReport, ReportUpdate, Signature
from ..services import reports as services

PAGE_SIZE = 50
OPEN_LIMIT = 200


def reports_readable(view):
    """Reports are read by whoever files, handles, signs or supervises them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.can_read_reports(request.user):
            raise PermissionDenied(Capability.FILE_REPORTS)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


class ReportForm(forms.Form):
    """Field names are those of services.file_report."""

    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    severity = forms.TypedChoiceField(
        label=gettext_lazy("severity"), choices=EmergencyReport.Severity.choices, coerce=int
    )
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("occurred at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Beijing time."),
    )
    region_code = forms.CharField(
        label=gettext_lazy("region"),
        max_length=12,
        help_text=gettext_lazy("Code of the region where it happened."),
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )
    body = forms.CharField(
        label=gettext_lazy("report"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What happened, where, how many are affected, what is being done."),
    )


class SignForm(forms.Form):
    capacity = forms.ChoiceField(label=gettext_lazy("sign as"), choices=Signature.Capacity.choices)
    instruction = forms.CharField(
        label=gettext_lazy("instruction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, missing=(), **kwargs):
        super().__init__(*args, **kwargs)
        if missing:
            choices = [c for c in Signature.Capacity.choices if c[0] in missing]
            self.fields["capacity"].choices = choices


class StepForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("handling step"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _visible_report(request, report_id: int) -> EmergencyReport:
    reports = EmergencyReport.objects.visible_to(request.user).select_related(
        "region", "filing_unit", "filed_by"
    )
    reports = reports.prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("signer")),
        Prefetch("updates", queryset=ReportUpdate.objects.select_related("by")),
    )
    return get_object_or_404(reports, pk=report_id)


def _mark_missing(reports):
    for report in reports:
        report.missing = [Signature.Capacity(c) for c in services.missing_capacities(report)]
    return reports


@require_safe
@reports_readable
def report_list(request):
    visible = (
        EmergencyReport.objects.visible_to(request.user)
        .select_related("region", "filing_unit")
        .prefetch_related("signatures")
    )
    if region := request.GET.get("region", "").strip():
        # The dashboard's per-county figures open this list narrowed to their county.
        visible = visible.in_region(region)
    # Open reports all on one page, the most severe and newest first; closed ones by page.
    open_reports = _mark_missing(
        visible.exclude(status=EmergencyReport.Status.CLOSED).order_by("severity", "-filed_at")[
            :OPEN_LIMIT
        ]
    )
    closed = visible.filter(status=EmergencyReport.Status.CLOSED)
    after = parse_cursor(request.GET.get("after"))
    if after is not None:
        closed = closed.filter(pk__lt=after)
    closed_rows = list(closed.order_by("-pk")[: PAGE_SIZE + 1])
    next_after = closed_rows[PAGE_SIZE - 1].pk if len(closed_rows) > PAGE_SIZE else None
    context = {
        "open_reports": open_reports,
        "closed_reports": closed_rows[:PAGE_SIZE],
        "next_after": next_after,
        "open_limit": OPEN_LIMIT,
    }
    return render_list(
        request, "command/report_list.html", "command/report_list_closed.html", context
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.FILE_REPORTS)
def report_new(request):
    initial = {"region_code": request.user.scope_region_id or ""}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.file_report(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Emergency report filed; the command offices have been notified.")
            )
            return redirect("command:report_detail", report_id=report.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "regions": regions_in_scope(request.user)}
    return render(request, "command/report_form.html", context, status=status)


def _detail_page(request, report, *, sign_form=None, step_form=None, error="", status=200):
    missing = services.missing_capacities(report)
    context = {
        "report": report,
        "missing": [Signature.Capacity(c) for c in missing],
        "sign_form": sign_form or SignForm(missing=missing),
        "step_form": step_form or StepForm(),
        "close_error": error,
        "can_sign": request.user.can(Capability.SIGN_REPORTS),
        "can_handle": request.user.can(Capability.HANDLE_REPORTS),
        "is_open": report.status != EmergencyReport.Status.CLOSED,
    }
    return render(request, "command/report_detail.html", context, status=status)


@require_safe
@reports_readable
def report_detail(request, report_id: int):
    report = _visible_report(request, report_id)
    # Opening the report is what its notification asked for.
    for notification in unread_for(request.user).filter(url=request.path):
        mark_read(request.user, notification)
    return _detail_page(request, report)


@require_POST
@capability_required(Capability.SIGN_REPORTS)
def report_sign(request, report_id: int):
    report = _visible_report(request, report_id)
    form = SignForm(request.POST, missing=services.missing_capacities(report))
    if form.is_valid():
        try:
            services.sign_report(request.user, report, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your signature has been recorded."))
            return redirect("command:report_detail", report_id=report.pk)
    return _detail_page(request, report, sign_form=form, status=400)


@require_POST
@capability_required(Capability.HANDLE_REPORTS)
def report_step(request, report_id: int):
    report = _visible_report(request, report_id)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.add_handling_step(request.user, report, form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Handling step recorded."))
            return redirect("command:report_detail", report_id=report.pk)
    return _detail_page(request, report, step_form=form, status=400)


@require_POST
@capability_required(Capability.HANDLE_REPORTS)
def report_close(request, report_id: int):
    report = _visible_report(request, report_id)
    try:
        services.close_report(request.user, report)
    except ValidationError as exc:
        return _detail_page(request, report, error=" ".join(exc.messages), status=400)
    messages.success(request, _("The report is closed."))
    return redirect("command:report_detail", report_id=report.pk)


urlpatterns = [
    path("reports/", report_list, name="report_list"),
    path("reports/new/", report_new, name="report_new"),
    path("reports/<int:report_id>/", report_detail, name="report_detail"),
    path("reports/<int:report_id>/sign/", report_sign, name="report_sign"),
    path("reports/<int:report_id>/steps/", report_step, name="report_step"),
    path("reports/<int:report_id>/close/", report_close, name="report_close"),
]
