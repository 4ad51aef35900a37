"""Responsibility chain pages: for a region in scope, its own first responsible person and
team, the same for each of its units, and its sub-regions with whose they are. Offices that
issue tasks (ISSUE_TASKS) edit the chain of their jurisdiction; everyone who sees tasks
reads it. Regions come from Region.objects.visible_to(user), so outside the jurisdiction
every page is 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability, covers
from epicommand.core.models import Region, Unit, User
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from ..models import ResponsiblePerson
from ..services import chain as services


class ChainPersonForm(forms.Form):
    """Field names are those of services.set_first_responsible / add_team_member."""

    duty = forms.ChoiceField(
        label=gettext_lazy("duty"),
        choices=ResponsiblePerson.Duty.choices,
        widget=forms.HiddenInput,
    )
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    post = forms.CharField(
        label=gettext_lazy("post"),
        max_length=100,
        help_text=gettext_lazy("For example 区委书记, 局长, 副主任."),
    )
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=20, required=False)
    username = forms.CharField(
        label=gettext_lazy("platform account"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("User name, if the person uses the platform."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError(_("no account with this user name"))
        return user


def _apply_chain_errors(form, exc: ValidationError) -> None:
    """The duty field is hidden, so a refusal about it (a first responsible person is
    already named) is shown for the form as a whole."""
    if hasattr(exc, "error_dict") and "duty" in exc.error_dict:
        form.add_error(None, exc.error_dict.pop("duty"))
        if not exc.error_dict:
            return
    apply_errors(form, exc)


def _visible_region(request, code: str) -> Region:
    return get_object_or_404(Region.objects.visible_to(request.user), code=code)


def _visible_unit(request, unit_id: int) -> Unit:
    regions = Region.objects.visible_to(request.user)
    return get_object_or_404(
        Unit.objects.select_related("region").filter(region__in=regions), pk=unit_id
    )


@require_safe
@capability_required(Capability.VIEW_TASKS)
def chain_home(request):
    if not request.user.scope_region_id:
        raise Http404("no jurisdiction")
    return redirect("command:chain_region", code=request.user.scope_region_id)


@require_safe
@capability_required(Capability.VIEW_TASKS)
def chain_region(request, code: str):
    region = _visible_region(request, code)
    units = list(Unit.objects.filter(region=region).order_by("kind", "id"))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    people = services.chain_people(
        region_codes=[region.code, *(c.code for c in children)], unit_ids=[u.pk for u in units]
    )
    empty = {"first": None, "members": []}
    own = people.get(("region", region.code), empty)
    context = {
        "region": region,
        "breadcrumb": [r for r in region.ancestors() if covers(request.user, r.code)],
        "own": own,
        # When the region names nobody, whose it is falls to the region above.
        "fallback": None if own["first"] else services.responsible_for(region),
        "units": [(unit, people.get(("unit", unit.pk), empty)) for unit in units],
        "children": [(child, people.get(("region", child.code), empty)) for child in children],
        "can_edit": request.user.can(Capability.ISSUE_TASKS),
    }
    return render(request, "command/chain_region.html", context)


def _edit_page(request, *, region=None, unit=None):
    target_region = unit.region if unit is not None else region
    if request.method == "POST":
        form = ChainPersonForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            duty = data.pop("duty")
            data["user"] = data.pop("username")
            change = (
                services.set_first_responsible
                if duty == ResponsiblePerson.Duty.FIRST_RESPONSIBLE
                else services.add_team_member
            )
            try:
                person = change(request.user, region=region, unit=unit, **data)
            except ValidationError as exc:
                _apply_chain_errors(form, exc)
            else:
                messages.success(request, _("%(person)s added.") % {"person": person})
                return redirect(request.path)
        first_form = form if form.data.get("duty") == "first" else None
        member_form = form if form.data.get("duty") == "member" else None
        status = 400
    else:
        first_form = member_form = None
        status = 200
    rows = (
        ResponsiblePerson.objects.filter(unit=unit)
        if unit is not None
        else ResponsiblePerson.objects.filter(region=region, unit__isnull=True)
    )
    people = list(rows.select_related("user").order_by("duty", "id"))
    first = next((p for p in people if p.duty == ResponsiblePerson.Duty.FIRST_RESPONSIBLE), None)
    context = {
        "region": target_region,
        "unit": unit,
        "target_name": unit.name if unit is not None else region.name,
        "first": first,
        "members": [p for p in people if p is not first],
        "first_form": first_form or ChainPersonForm(initial={"duty": "first"}),
        "member_form": member_form or ChainPersonForm(initial={"duty": "member"}),
    }
    return render(request, "command/chain_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.ISSUE_TASKS)
def chain_region_edit(request, code: str):
    return _edit_page(request, region=_visible_region(request, code))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.ISSUE_TASKS)
def chain_unit_edit(request, unit_id: int):
    return _edit_page(request, unit=_visible_unit(request, unit_id))


@require_POST
@capability_required(Capability.ISSUE_TASKS)
def chain_remove(request, person_id: int):
    person = get_object_or_404(
        ResponsiblePerson.objects.select_related("unit__region", "region"), pk=person_id
    )
    home = person.unit.region if person.unit_id else person.region
    if not covers(request.user, home.code):
        raise Http404("outside the jurisdiction")
    back = (
        redirect("command:chain_unit_edit", unit_id=person.unit_id)
        if person.unit_id
        else redirect("command:chain_region_edit", code=person.region_id)
    )
    try:
        services.remove_from_chain(request.user, person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(person)s removed.") % {"person": person})
    return back


urlpatterns = [
    path("chain/", chain_home, name="chain"),
    path("chain/<str:code>/", chain_region, name="chain_region"),
    path("chain/<str:code>/edit/", chain_region_edit, name="chain_region_edit"),
    path("chain/units/<int:unit_id>/edit/", chain_unit_edit, name="chain_unit_edit"),
    path("chain/people/<int:person_id>/remove/", chain_remove, name="chain_remove"),
]
