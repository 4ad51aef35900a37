"""Risk-area pages: the public list (no login), the staff list with proposals to confirm or
dismiss, the manual designation form, the map of the city coloured by level (ECharts over
the regions' boundaries, served as GeoJSON), and the health-code colour distribution per
district (from the counters). Changes go through control.services.risk; proposals and
history are read through RiskArea.objects.visible_to(request.user)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core import followups, policy
from epicommand.core.access import Capability, covers, region_q
from epicommand.core.keyset import parse_cursor
from epicommand.core.models import Region
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import render_list

from ..levels import levels_in_force
from ..models import RiskArea, RiskLevel
from ..queries.risk import (
    PUBLIC_CHANGE_DAYS,
    areas_in_force,
    colour_distribution,
    history_page,
    map_collection,
    map_start,
    proposals_for,
    public_changes,
)
from ..services import risk as services

REGION_SEARCH_LIMIT = 20
LEVEL_LABELS = {
    "high": gettext_lazy("High risk"),
    "medium": gettext_lazy("Medium risk"),
    "low": gettext_lazy("Low risk"),
}


# The public page ---------------------------------------------------------------------------


@require_safe
def public_risk_areas(request):
    """What a resident needs: the high- and medium-risk areas now, since when, and the
    changes of the last month. No person, no reason text, no one's name."""
    in_force = areas_in_force(levels=(RiskLevel.HIGH, RiskLevel.MEDIUM))
    context = {
        "high": [a for a in in_force if a.level == RiskLevel.HIGH],
        "medium": [a for a in in_force if a.level == RiskLevel.MEDIUM],
        "changes": public_changes(),
        "change_days": PUBLIC_CHANGE_DAYS,
        "now": timezone.now(),
    }
    return render(request, "control/risk_public.html", context)


# The staff list ----------------------------------------------------------------------------


def _mark_changeable(user, areas):
    manage = user.can(Capability.MANAGE_RISK_AREAS)
    for area in areas:
        area.changeable = manage and covers(user, area.region_id)
    return areas


def _with_codes_followup(areas):
    """Give each area `codes_followup`: the latest recompute of its health codes (queued,
    running or done, and for how many persons), as the case page shows its follow-ups."""
    latest = followups.latest_for_many(areas, services.RECOMPUTE)
    for area in areas:
        area.codes_followup = latest.get(area.pk)
    return areas


@require_safe
@login_required
def risk_area_list(request):
    history, next_after = history_page(request.user, parse_cursor(request.GET.get("after")))
    _with_codes_followup(history)
    proposals = _mark_changeable(request.user, proposals_for(request.user))
    levels = levels_in_force()
    for area in proposals:  # what the proposal would change
        area.current = levels.level_of(area.region_id)
        area.current_label = RiskLevel(area.current).label
    context = {
        "in_force": _with_codes_followup(_mark_changeable(request.user, areas_in_force())),
        "proposals": proposals,
        "history": history,
        "next_after": next_after,
        "can_manage": request.user.can(Capability.MANAGE_RISK_AREAS),
        "rule": policy.active().risk_area_rule,
    }
    return render_list(request, "control/risk_list.html", "control/risk_history.html", context)


def _area_for_change(request, area_id: int) -> RiskArea:
    return get_object_or_404(RiskArea.objects.visible_to(request.user), pk=area_id)


def _change(request, area_id: int, action, done: str):
    area = _area_for_change(request, area_id)
    reason = request.POST.get("reason", "")[:500]
    try:
        if action is services.confirm:
            area = action(request.user, area)
        else:
            area = action(request.user, area, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        queued = getattr(area, "codes_queued", None)
        text = done % {"name": area.name}
        messages.success(request, f"{text} {queued}." if queued else text)
    return redirect("control:risk_area_list")


@require_POST
@capability_required(Capability.MANAGE_RISK_AREAS)
def risk_area_confirm(request, area_id: int):
    return _change(request, area_id, services.confirm, _("%(name)s is in force."))


@require_POST
@capability_required(Capability.MANAGE_RISK_AREAS)
def risk_area_dismiss(request, area_id: int):
    return _change(request, area_id, services.dismiss, _("Proposal for %(name)s dismissed."))


@require_POST
@capability_required(Capability.MANAGE_RISK_AREAS)
def risk_area_lift(request, area_id: int):
    return _change(request, area_id, services.lift, _("%(name)s is lifted."))


@require_POST
@capability_required(Capability.MANAGE_RISK_AREAS)
def risk_area_check_rule(request):
    """Run the edition's rule now and store what it would change as proposals."""
    areas = services.propose_suggestions(request.user)
    if areas:
        messages.success(
            request, _("%(n)d proposals from the rule await confirmation.") % {"n": len(areas)}
        )
    else:
        messages.success(request, _("The rule proposes no change."))
    return redirect("control:risk_area_list")


# Manual designation ------------------------------------------------------------------------


class DesignationForm(forms.Form):
    """Field names are those of services.risk.designate."""

    level = forms.ChoiceField(label=gettext_lazy("level"), choices=RiskLevel.choices)
    regions = forms.CharField(
        label=gettext_lazy("regions"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
        help_text=gettext_lazy(
            "Region codes separated by spaces: a county, towns, or a set of villages and "
            "compounds. Search below to add them."
        ),
    )
    name = forms.CharField(
        label=gettext_lazy("name"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Optional; the regions' names by default."),
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why: the cases, the sites they frequented, the decision."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Put in force now"),
        required=False,
        help_text=gettext_lazy(
            "Otherwise it is stored as a proposal for a command office to confirm."
        ),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_RISK_AREAS)
def risk_area_new(request):
    form = DesignationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.designate(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if area.status == RiskArea.Status.IN_FORCE:
                text = _("%(name)s is in force.") % {"name": area.name}
                messages.success(request, f"{text} {area.codes_queued}.")
            else:
                messages.success(
                    request,
                    _("%(name)s is proposed and awaits confirmation.") % {"name": area.name},
                )
            return redirect("control:risk_area_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "control/risk_form.html", {"form": form}, status=status)


@require_safe
@capability_required(Capability.MANAGE_RISK_AREAS)
def risk_region_search(request):
    """Regions in the user's jurisdiction by the start of their code or a part of their
    name, for the designation form (an htmx partial)."""
    query = request.GET.get("q", "").strip()[:50]
    regions = []
    if query:
        match = region_q(query, "code") if query.isdigit() else Q(name__contains=query)
        regions = list(
            Region.objects.visible_to(request.user)
            .filter(match)
            .select_related("parent")
            .order_by("level", "code")[:REGION_SEARCH_LIMIT]
        )
    return render(
        request,
        "control/risk_region_results.html",
        {"regions": regions, "query": query, "limit": REGION_SEARCH_LIMIT},
    )


# The map -----------------------------------------------------------------------------------


@require_safe
@login_required
def risk_map(request):
    start = map_start(request.user)
    if start is None:
        raise Http404
    config = {
        "start": start.code,
        "url": reverse("control:risk_map_json", args=["CODE"]),
        "levels": {k: str(v) for k, v in LEVEL_LABELS.items()},
        "labels": {
            "inside": _("contains areas of"),
            "open": _("Click to open"),
            "failed": _("The map could not be loaded."),
            "none": _(
                "No boundaries are stored for these regions: the operator imports them "
                "(see the operator guide, Risk areas)."
            ),
        },
    }
    return render(request, "control/risk_map.html", {"config": config, "start": start})


@require_safe
@login_required
def risk_map_json(request, region_code: str):
    """The region's children as a GeoJSON FeatureCollection with their levels."""
    if not (region_code.isdigit() and len(region_code) <= 12):
        raise Http404
    region = get_object_or_404(Region, code=region_code)
    response = JsonResponse(map_collection(region), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=60"
    return response


# Colour distribution -------------------------------------------------------------------------


def colours_readable(view):
    """Aggregates, no person: for those who read the dashboard or health codes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.can(Capability.VIEW_DASHBOARD) or user.can(Capability.VIEW_HEALTH_CODES)):
            raise PermissionDenied(Capability.VIEW_DASHBOARD)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@require_safe
@colours_readable
def colours(request):
    rows, total = colour_distribution(request.user)
    chart = {
        "counties": [r.region.name for r in rows],
        "green": [r.green for r in rows],
        "yellow": [r.yellow for r in rows],
        "red": [r.red for r in rows],
        "labels": {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")},
    }
    context = {"rows": rows, "total": total, "chart": chart, "day": timezone.localdate()}
    return render(request, "control/colours_distribution.html", context)


urlpatterns = [
    path("risk-areas/", public_risk_areas, name="public_risk_areas"),
    path("risk/", risk_area_list, name="risk_area_list"),
    path("risk/new/", risk_area_new, name="risk_area_new"),
    path("risk/regions/", risk_region_search, name="risk_region_search"),
    path("risk/check-rule/", risk_area_check_rule, name="risk_area_check_rule"),
    path("risk/<int:area_id>/confirm/", risk_area_confirm, name="risk_area_confirm"),
    path("risk/<int:area_id>/dismiss/", risk_area_dismiss, name="risk_area_dismiss"),
    path("risk/<int:area_id>/lift/", risk_area_lift, name="risk_area_lift"),
    path("risk/map/", risk_map, name="risk_map"),
    path("risk/map/<str:region_code>.json", risk_map_json, name="risk_map_json"),
    path("risk/colours/", colours, name="colour_distribution"),
]
