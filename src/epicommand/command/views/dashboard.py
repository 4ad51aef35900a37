"""The command dashboard and the daily summaries. The dashboard reads counters only
(core.dashboard); summaries are read through DailySummary.objects.visible_to, so a county
office sees its own county's and gets 404 for another's."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.dashboard import FIGURES, build_dashboard, dashboard_regions
from epicommand.core.models import Region
from epicommand.core.pages.access import capability_required

from ..models import DailySummary
from ..services.summaries import FIGURE_LABELS, SUMMARY_FIGURES, generate_daily_summary
from ..summary_exports import summary_pdf, summary_xlsx

SUMMARY_DAYS_A_PAGE = 14


def _region_param(request) -> str | None:
    code = request.GET.get("region", "").strip()
    return code if code.isdigit() and len(code) <= 12 else None


@require_safe
@capability_required(Capability.VIEW_DASHBOARD)
def dashboard(request):
    code = request.GET.get("region", "").strip() or None
    try:
        board = build_dashboard(request.user, code)
    except Http404:
        if code:
            raise
        # A jurisdiction below a county: the counters stop at counties.
        return render(request, "command/dashboard.html", {"board": None})
    return render(request, "command/dashboard.html", {"board": board, "charts": _charts(board)})


def _charts(board) -> dict:
    """What the ECharts code draws, with the link of every bar and point."""
    counties = board.counties
    focus = board.focus.region.code

    def bars(key: str) -> dict:
        return {
            "values": [c.values[key] for c in counties],
            "urls": [c.urls[key] for c in counties],
        }

    return {
        "counties": [c.region.name for c in counties],
        "open": bars("tasks_open"),
        "overdue": bars("tasks_overdue"),
        "persons": bars("persons"),
        "days": [d.strftime("%m-%d") for d in board.days],
        "issued": board.series.get("tasks_issued", []),
        "done": board.series.get("tasks_done", []),
        "issued_urls": [FIGURES["tasks_issued"].url(focus, d) for d in board.days],
        "done_urls": [FIGURES["tasks_done"].url(focus, d) for d in board.days],
        "labels": {
            "open": _("Open tasks"),
            "overdue": _("Overdue tasks"),
            "persons": _("Registered population"),
            "issued": _("Tasks issued"),
            "done": _("Tasks done"),
        },
    }


# Daily summaries -------------------------------------------------------------------------


def _visible_summary(request, summary_id: int) -> DailySummary:
    summaries = DailySummary.objects.visible_to(request.user).select_related("region")
    return get_object_or_404(summaries, pk=summary_id)


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@require_safe
@capability_required(Capability.VIEW_DASHBOARD)
def summary_list(request):
    """Summaries by day, newest first, SUMMARY_DAYS_A_PAGE days a page (`?before=`)."""
    before = _parse_day(request.GET.get("before")) or timezone.localdate() + timedelta(days=1)
    first = before - timedelta(days=SUMMARY_DAYS_A_PAGE)
    visible = DailySummary.objects.visible_to(request.user)
    region = _region_param(request)
    if region:
        visible = visible.filter(region_id=region)
    rows = list(
        visible.filter(day__gte=first, day__lt=before)
        .select_related("region")
        .only("id", "day", "generated_at", "region__code", "region__name", "region__level")
        .order_by("-day", "region_id")
    )
    days: dict[date, list[DailySummary]] = {}
    for summary in rows:
        days.setdefault(summary.day, []).append(summary)
    older = visible.filter(day__lt=first).order_by("-day").values_list("day", flat=True).first()
    context = {
        "days": list(days.items()),
        "older": (older + timedelta(days=1)).isoformat() if older else None,
        "region": region,
        "can_generate": request.user.can(Capability.ISSUE_TASKS),
        "today": timezone.localdate(),
    }
    return render(request, "command/summary_list.html", context)


@require_safe
@capability_required(Capability.VIEW_DASHBOARD)
def summary_detail(request, summary_id: int):
    summary = _visible_summary(request, summary_id)
    figures = summary.figures
    totals = [
        {"key": f.key, "label": f.label, "value": figures["totals"].get(f.key, 0)}
        for f in SUMMARY_FIGURES
    ]
    columns = [f for f in SUMMARY_FIGURES if any(f.key in row for row in figures["counties"])]
    counties = [
        {"code": row["code"], "name": row["name"], "values": [row.get(f.key, 0) for f in columns]}
        for row in figures["counties"]
    ]
    context = {
        "summary": summary,
        "totals": totals,
        "columns": columns,
        "counties": counties,
        "overdue": [
            {**item, "deadline_shown": item["deadline"].replace("T", " ")[:16]}
            for item in figures["overdue"]
        ],
        "not_listed": figures.get("overdue_not_listed", 0),
        "labels": FIGURE_LABELS,
    }
    return render(request, "command/summary_detail.html", context)


def _download(content: bytes, content_type: str, summary: DailySummary, suffix: str):
    response = HttpResponse(content, content_type=content_type)
    name = f"summary-{summary.region_id}-{summary.day.isoformat()}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private"
    return response


@require_safe
@capability_required(Capability.VIEW_DASHBOARD)
def summary_xlsx_download(request, summary_id: int):
    summary = _visible_summary(request, summary_id)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(summary_xlsx(summary), xlsx, summary, "xlsx")


@require_safe
@capability_required(Capability.VIEW_DASHBOARD)
def summary_pdf_download(request, summary_id: int):
    summary = _visible_summary(request, summary_id)
    return _download(summary_pdf(summary), "application/pdf", summary, "pdf")


@require_POST
@capability_required(Capability.VIEW_DASHBOARD)
def summary_generate(request):
    """Generate (or regenerate) today's summary of the user's city or county now, ahead of
    the scheduled hour: for the office before a meeting."""
    if not request.user.can(Capability.ISSUE_TASKS):
        raise PermissionDenied(Capability.ISSUE_TASKS)
    code = request.POST.get("region", "").strip() or None
    region: Region = dashboard_regions(request.user, code)[0]
    summary = generate_daily_summary(timezone.localdate(), region, actor=request.user)
    messages.success(request, _("Summary of %(region)s generated.") % {"region": region.name})
    return redirect("command:summary_detail", summary_id=summary.pk)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("summaries/", summary_list, name="summary_list"),
    path("summaries/generate/", summary_generate, name="summary_generate"),
    path("summaries/<int:summary_id>/", summary_detail, name="summary_detail"),
    path("summaries/<int:summary_id>/summary.xlsx", summary_xlsx_download, name="summary_xlsx"),
    path("summaries/<int:summary_id>/summary.pdf", summary_pdf_download, name="summary_pdf"),
]
