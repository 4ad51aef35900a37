"""Volunteer teams: the list of the user's jurisdiction, creating one and editing one.
Reads start from VolunteerTeam.objects.visible_to(request.user); changes go through
quarantine.services.households."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import render_list
from epicommand.core.pages.regions import regions_in_scope

from ..forms.households import TeamForm
from ..queries import households as queries
from ..services import households as services
from .household_common import may_read_households

C = Capability


@require_safe
@may_read_households
def team_list(request):
    region = request.GET.get("region", "")
    region = region if region.isdigit() and len(region) <= 12 else ""
    rows, next_after = queries.team_page(
        request.user, after=parse_cursor(request.GET.get("after")), region=region
    )
    context = {
        "teams": rows,
        "next_after": next_after,
        "region": region,
        "may_act": request.user.can(C.HOME_CONTROL),
    }
    return render_list(
        request, "quarantine/team_list.html", "quarantine/team_list_rows.html", context
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.HOME_CONTROL)
def team_new(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, _as_form_fields(exc))
        else:
            messages.success(request, _("Volunteer team %(name)s created.") % {"name": team.name})
            return redirect("quarantine:team_list")
    return _form_page(request, form, team=None)


@require_http_methods(["GET", "POST"])
@capability_required(C.HOME_CONTROL)
def team_edit(request, team_id: int):
    team = queries.visible_team(request.user, team_id)
    initial = {
        "name": team.name,
        "region_id": team.region_id,
        "leader": team.leader,
        "phone": team.phone,
        "members": team.members,
    }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_team(request.user, team, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, _as_form_fields(exc))
        else:
            messages.success(request, _("Volunteer team %(name)s saved.") % {"name": team.name})
            return redirect("quarantine:team_list")
    return _form_page(request, form, team=team)


def _as_form_fields(exc: ValidationError) -> ValidationError:
    # The service names the region as the API does (region_code); the form's field is
    # region_id.
    if hasattr(exc, "error_dict") and "region_code" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["region_id"] = errors.pop("region_code")
        return ValidationError(errors)
    return exc


def _form_page(request, form, *, team):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "team": team, "regions": regions_in_scope(request.user)}
    return render(request, "quarantine/team_form.html", context, status=status)


urlpatterns = [
    path("quarantine/teams/", team_list, name="team_list"),
    path("quarantine/teams/new/", team_new, name="team_new"),
    path("quarantine/teams/<int:team_id>/edit/", team_edit, name="team_edit"),
]
