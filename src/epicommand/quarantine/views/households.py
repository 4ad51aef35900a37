"""Households kept at home: the community worker's list (members masked, days remaining,
open requests with delays flagged and quick actions), putting one household under home
quarantine or a whole high-risk area at home, a household's page (assign, request
supplies, end). Reads start from `visible_to(request.user)` (quarantine.queries.households);
every change goes through quarantine.services.households and .supplies.

The supply requests' own pages and quick actions, the volunteer teams and the resident's
page live in the household_* modules beside this one; their URLs are gathered here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.core.pages.regions import regions_in_scope

from ..forms.households import (
    AssignHouseholdForm,
    HomeQuarantineForm,
    HouseholdFilterForm,
    LiftForm,
    LockdownForm,
    ReasonForm,
    SupplyRequestForm,
)
from ..queries import households as queries
from ..services import households as services
from ..services import supplies
from . import household_resident, household_supplies, household_teams
from .household_common import may_read_households, private

C = Capability


@require_safe
@may_read_households
def household_list(request):
    form = HouseholdFilterForm(request.GET or None)
    rows, next_after = [], None
    now = timezone.now()
    if not form.is_bound or form.is_valid():
        rows, next_after = queries.household_page(
            request.user,
            after=request.GET.get("after"),
            limit=queries.CARDS_PER_SCREEN,
            now=now,
            **form.filters(request.user),
        )
    queries.attach_team_choices(request.user, [s for row in rows for s in row.open_requests])
    context = {
        "form": form,
        "rows": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "may_act": request.user.can(C.HOME_CONTROL),
        "back": request.get_full_path(),
    }
    return private(
        render_list(
            request,
            "quarantine/household_list.html",
            "quarantine/household_list_rows.html",
            context,
        )
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.HOME_CONTROL)
def household_new(request):
    form = HomeQuarantineForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            control = services.put_under_home_quarantine(
                request.user,
                data["household"],
                reason=data["reason"],
                ends_on=data["ends_on"],
                community_worker=data["community_worker_id"],
                team=data["team_id"],
            )
        except ValidationError as exc:
            apply_errors(form, _on_household_field(exc))
        else:
            messages.success(
                request,
                _("Household %(code)s is kept at home until %(until)s.")
                % {"code": control.household.code, "until": control.ends_on.isoformat()},
            )
            return redirect("quarantine:household_detail", control_id=control.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "quarantine/household_form.html", {"form": form}, status=status)


def _on_household_field(exc: ValidationError) -> ValidationError:
    """The service names the household as the API does (household_id); the form's field
    is the household number."""
    if hasattr(exc, "error_dict") and "household_id" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["household"] = errors.pop("household_id")
        return ValidationError(errors)
    return exc


@require_http_methods(["GET", "POST"])
@capability_required(C.HOME_CONTROL)
def household_lockdown(request):
    form = LockdownForm(request.POST or None, user=request.user)
    lift_form = LiftForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.lock_down_area(
                request.user,
                data["region_code"],
                reason=data["reason"],
                ends_on=data["ends_on"],
                community_worker=data["community_worker_id"],
                team=data["team_id"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d households of %(area)s are kept at home (%(a)d were at home already).")
                % {
                    "n": result.placed,
                    "area": queries.region_name(result.region_code),
                    "a": result.already_at_home,
                },
            )
            return redirect(
                f"{reverse('quarantine:household_list')}?region={result.region_code}"
                "&kind=lockdown_area"
            )
    return _lockdown_page(request, form, lift_form)


def _lockdown_page(request, form, lift_form):
    status = (
        400 if (form.is_bound and form.errors) or (lift_form.is_bound and lift_form.errors) else 200
    )
    context = {"form": form, "lift_form": lift_form, "regions": regions_in_scope(request.user)}
    return render(request, "quarantine/household_lockdown.html", context, status=status)


@require_POST
@capability_required(C.HOME_CONTROL)
def household_lift(request):
    lift_form = LiftForm(request.POST)
    if lift_form.is_valid():
        try:
            released = services.lift_area_lockdown(
                request.user,
                lift_form.cleaned_data["region_code"],
                reason=lift_form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(lift_form, exc)
        else:
            messages.success(request, _("%(n)d households may go out again.") % {"n": released})
            return redirect("quarantine:household_list")
    return _lockdown_page(request, LockdownForm(user=request.user), lift_form)


@require_safe
@may_read_households
def household_detail(request, control_id: int):
    return _detail_page(request, queries.visible_control(request.user, control_id))


def _detail_page(request, control, *, status=200, action_errors=(), **forms):
    user = request.user
    now = timezone.now()
    row = queries.decorate(user, [control], now=now)[0]
    requests = queries.control_requests(control, now=now)
    queries.attach_team_choices(user, requests)
    teams = queries.teams_for(user, control.region_id)
    workers = queries.community_workers_for(control.region_id)
    may_act = user.can(C.HOME_CONTROL) and control.ended_at is None
    context = {
        "row": row,
        "control": control,
        "requests": requests,
        "trail": queries.control_trail(control),
        "may_act": may_act,
        "action_errors": action_errors,
        "assign_form": forms.get("assign_form")
        or AssignHouseholdForm(
            initial={
                "community_worker_id": control.community_worker_id,
                "team_id": control.team_id,
            },
            workers=workers,
            teams=teams,
        ),
        "supply_form": forms.get("supply_form") or SupplyRequestForm(),
        "end_form": forms.get("end_form") or ReasonForm(),
        "back": request.path,
    }
    return private(render(request, "quarantine/household_detail.html", context, status=status))


@require_POST
@capability_required(C.HOME_CONTROL)
def household_assign(request, control_id: int):
    control = queries.visible_control(request.user, control_id)
    form = AssignHouseholdForm(
        request.POST,
        workers=queries.community_workers_for(control.region_id),
        teams=queries.teams_for(request.user, control.region_id),
    )
    if form.is_valid():
        try:
            services.assign_household(
                request.user,
                control,
                community_worker=form.cleaned_data["community_worker_id"],
                team=form.cleaned_data["team_id"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Community worker and volunteer team saved."))
            return redirect("quarantine:household_detail", control_id=control.pk)
    return _detail_page(request, control, status=400, assign_form=form)


@require_POST
@capability_required(C.HOME_CONTROL)
def household_end(request, control_id: int):
    control = queries.visible_control(request.user, control_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.end_household_control(
                request.user, control, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The household may go out again."))
            return redirect("quarantine:household_detail", control_id=control.pk)
    return _detail_page(request, control, status=400, end_form=form)


@require_POST
@capability_required(C.HOME_CONTROL)
def household_supply_new(request, control_id: int):
    control = queries.visible_control(request.user, control_id)
    form = SupplyRequestForm(request.POST)
    if form.is_valid():
        try:
            supply = supplies.request_supplies(
                request.user,
                control.household,
                kind=form.cleaned_data["kind"],
                items=form.cleaned_data["items"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request recorded: due by %(due)s.")
                % {"due": timezone.localtime(supply.due_at).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("quarantine:household_detail", control_id=control.pk)
    return _detail_page(request, control, status=400, supply_form=form)


urlpatterns = [
    path("quarantine/households/", household_list, name="household_list"),
    path("quarantine/households/new/", household_new, name="household_new"),
    path("quarantine/households/lockdown/", household_lockdown, name="household_lockdown"),
    path("quarantine/households/lockdown/lift/", household_lift, name="household_lift"),
    path("quarantine/households/<int:control_id>/", household_detail, name="household_detail"),
    path(
        "quarantine/households/<int:control_id>/assign/",
        household_assign,
        name="household_assign",
    ),
    path("quarantine/households/<int:control_id>/end/", household_end, name="household_end"),
    path(
        "quarantine/households/<int:control_id>/supplies/new/",
        household_supply_new,
        name="household_supply_new",
    ),
    *household_supplies.urlpatterns,
    *household_teams.urlpatterns,
    *household_resident.urlpatterns,
]
