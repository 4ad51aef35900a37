"""Round pages: the list of rounds, setting a round up, the round's page (classified
statistics drilling down city -> county -> township -> village, the hourly chart, pooling
advice, the communities' sites and slots), its XLSX report and the not-yet-sampled list of
a village for door-to-door follow-up.

The figures panel of the round page refreshes itself through htmx every minute (the same
URL with ?part=figures), so the command office watches the round move without reloading."""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core import audit
from epicommand.core.access import Capability, covers
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list, wants_partial
from epicommand.core.pages.regions import regions_in_scope

from .. import statistics
from ..models import Round
from ..queries import rounds as queries
from ..services import rounds as services
from ..services import sites as site_services
from . import resident

C = Capability
# The figures panel asks for fresh figures this often (seconds).
REFRESH_SECONDS = 60


def _private(response):
    # Figures by village and, on the list, persons: never kept by a shared cache.
    response["Cache-Control"] = "no-store, private"
    return response


class RoundForm(forms.Form):
    """Field names are those of services.rounds.create_round."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=services.MAX_NAME)
    region_codes = forms.CharField(
        label=gettext_lazy("regions covered"),
        max_length=6000,
        help_text=gettext_lazy("Codes of counties, townships or villages, separated by spaces."),
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("sampling from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("sampling until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_region_codes(self):
        codes = [c for c in re.split(r"[\s,;，；]+", self.cleaned_data["region_codes"]) if c]
        if not codes:
            raise ValidationError(_("name at least one region"))
        return codes


@require_safe
@capability_required(C.VIEW_TESTING)
def round_list(request):
    status = request.GET.get("status", "")
    rows, next_after = queries.round_page(
        request.user, status=status, after=request.GET.get("after")
    )
    context = {
        "rounds": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "statuses": Round.Status.choices,
    }
    return render_list(request, "testing/round_list.html", "testing/round_list_rows.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TESTING)
def round_new(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.create_round(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, _codes_on_one_field(exc))
        else:
            messages.success(
                request,
                _("Round %(name)s set up: assign its communities to sites, then open it.")
                % {"name": round_.name},
            )
            return redirect("testing:round_detail", round_.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "regions": regions_in_scope(request.user)}
    return render(request, "testing/round_form.html", context, status=status)


def _codes_on_one_field(exc: ValidationError) -> ValidationError:
    """region_codes[3] -> the form's one region_codes field, naming the code's place."""
    if not hasattr(exc, "error_dict"):
        return exc
    found: dict[str, list[str]] = {}
    for field, messages_ in exc.message_dict.items():
        name = "region_codes" if field.startswith("region_codes[") else field
        prefix = f"{field}: " if name != field else ""
        found.setdefault(name, []).extend(prefix + m for m in messages_)
    return ValidationError(found)


@require_safe
@capability_required(C.VIEW_TESTING)
def round_detail(request, round_id: int):
    round_ = queries.visible_round(request.user, round_id)
    focus = queries.round_focus(request.user, round_, request.GET.get("region") or None)
    context = _figures_context(request, round_, focus)
    if request.GET.get("part") == "figures" and wants_partial(request):
        return _private(render(request, "testing/round_figures.html", context))
    assignments, next_after = queries.assignment_page(
        request.user, round_, region=focus.code, after=request.GET.get("after")
    )
    if request.GET.get("part") == "assignments" and wants_partial(request):
        context.update(assignments=assignments, next_after=next_after)
        return _private(render(request, "testing/round_assignments.html", context))
    context.update(
        assignments=assignments,
        next_after=next_after,
        regions_covered=list(round_.regions.order_by("code")),
        can_manage=request.user.can(C.MANAGE_TESTING) and covers(request.user, round_.region_id),
    )
    return _private(render(request, "testing/round_detail.html", context))


def _figures_context(request, round_, focus) -> dict:
    return {
        "round": round_,
        "focus": focus,
        "trail": queries.trail(request.user, round_, focus),
        "figures": statistics.statistics(round_, focus),
        "chart": statistics.chart_data(round_, focus),
        "advice": services.pooling_advice(round_, region_code=focus.code),
        "refresh_seconds": REFRESH_SECONDS,
        "now": timezone.now(),
    }


@require_POST
@capability_required(C.MANAGE_TESTING)
def round_step(request, round_id: int, step: str):
    round_ = queries.visible_round(request.user, round_id)
    action = services.open_round if step == "open" else services.close_round
    try:
        action(request.user, round_, reason=request.POST.get("reason", "")[:500])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("Round opened for sampling.") if step == "open" else _("Round closed.")
        messages.success(request, done)
    return redirect("testing:round_detail", round_.pk)


@require_POST
@capability_required(C.MANAGE_TESTING)
def round_assign(request, round_id: int):
    round_ = queries.visible_round(request.user, round_id)
    try:
        report = site_services.assign_communities(request.user, round_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("testing:round_detail", round_.pk)
    context = {"round": round_, "report": report}
    return _private(render(request, "testing/round_assign_report.html", context))


@require_safe
@capability_required(C.VIEW_TESTING)
def round_report(request, round_id: int):
    """The classified statistics report as XLSX (audited export)."""
    round_ = queries.visible_round(request.user, round_id)
    focus = queries.round_focus(request.user, round_, request.GET.get("region") or None)
    body = statistics.report_xlsx(round_, focus)
    audit.record(
        request.user,
        "testing_round.report_export",
        round_,
        region_code=focus.code,
        reason=f"statistics report of {focus.code}",
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="round-{round_.pk}-{focus.code}-{stamp}.xlsx"'
    )
    return _private(response)


@require_safe
@capability_required(C.VIEW_TESTING)
def round_unsampled(request, round_id: int):
    """A village's persons not yet sampled (masked, by id, each page audited); above a
    village, the villages below with how many are not yet sampled, to pick one."""
    round_ = queries.visible_round(request.user, round_id)
    wanted = request.GET.get("region") or None
    focus = queries.round_focus(request.user, round_, wanted)
    context = {"round": round_, "focus": focus, "trail": queries.trail(request.user, round_, focus)}
    if statistics.child_length(focus) is not None:
        context["figures"] = statistics.statistics(round_, focus)
        return _private(render(request, "testing/round_unsampled.html", context))
    village = queries.unsampled_village(request.user, round_, focus.code)
    persons, next_after = queries.unsampled_page(
        request.user, round_, village, after=request.GET.get("after")
    )
    audit.record(
        request.user,
        "testing_round.unsampled_view",
        round_,
        region_code=village.code,
        reason=f"{len(persons)} persons listed (after {request.GET.get('after') or 0})",
    )
    context.update(
        village=village,
        persons=persons,
        next_after=next_after,
        query=query_without_cursor(request),
    )
    template = (
        "testing/round_unsampled_rows.html"
        if wants_partial(request)
        else "testing/round_unsampled.html"
    )
    return _private(render(request, template, context))


urlpatterns = [
    path("testing/rounds/", round_list, name="round_list"),
    path("testing/rounds/new/", round_new, name="round_new"),
    path("testing/rounds/<int:round_id>/", round_detail, name="round_detail"),
    path(
        "testing/rounds/<int:round_id>/open/",
        round_step,
        {"step": "open"},
        name="round_open",
    ),
    path(
        "testing/rounds/<int:round_id>/close/",
        round_step,
        {"step": "close"},
        name="round_close",
    ),
    path("testing/rounds/<int:round_id>/assign/", round_assign, name="round_assign"),
    path("testing/rounds/<int:round_id>/report.xlsx", round_report, name="round_report"),
    path("testing/rounds/<int:round_id>/unsampled/", round_unsampled, name="round_unsampled"),
    # The resident's public page lives beside the rounds it reads.
    *resident.urlpatterns,
]
