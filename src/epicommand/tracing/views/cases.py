"""Case pages: the list of cases with overdue investigations flagged (masked), registering
a case by the person's ID number, and one case's page with the person in full (audited):
classification history, the investigation milestones and their deadlines, transfer and
outcome, the trajectory as a table by day and on a map, with confirm and remove buttons
(htmx) and the form for a visit told in the interview. Reads start from
tracing.queries.cases; changes go through services.cases and services.trajectory."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core import audit, followups
from epicommand.core.access import Capability, covers, region_q
from epicommand.core.masking import mask_name
from epicommand.core.models import User
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.people import lookup
from epicommand.places.models import Venue

from .. import milestones
from ..forms import (
    AssignForm,
    CaseFilterForm,
    CaseForm,
    HospitalForm,
    ReclassifyForm,
    VisitForm,
)
from ..models import Case, Outcome, Visit
from ..queries import cases as queries
from ..services import cases as services
from ..services import trajectory

C = Capability
VENUE_CHOICES = 300  # places offered in the visit form's pick-list


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _reasons(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{m}" for ms in exc.message_dict.values() for m in ms)
    return "; ".join(exc.messages)


@require_safe
@capability_required(C.VIEW_CASES)
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    rows, next_after = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = queries.CaseFilter(
            classification=data.get("classification") or "",
            overdue=bool(data.get("overdue")),
            awaiting_epidemiologist=bool(data.get("awaiting_epidemiologist")),
            open_only=bool(data.get("open_only")),
            region=data.get("region") or None,
            reported=data.get("reported"),
            onset=data.get("onset"),
        )
        rows, next_after = queries.case_page(request.user, filters, after=request.GET.get("after"))
    for case in rows:
        case.masked_name = mask_name(case.person.name)
    context = {
        "form": form,
        "cases": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return _private(
        render_list(request, "tracing/case_list.html", "tracing/case_list_rows.html", context)
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.INVESTIGATE)
def case_new(request):
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Scoped: a case is registered by the district the person lives in.
        person = lookup.find_by_document(request.user, data["id_number"])
        if person is None:
            form.add_error("id_number", _("no person in your jurisdiction with this ID number"))
        else:
            try:
                case = services.register_case(
                    request.user,
                    person,
                    classification=data["classification"],
                    detection_route=data["detection_route"],
                    onset_date=data["onset_date"],
                    sampling_date=data["sampling_date"],
                    note=data["note"],
                    order_transfer=data["order_transfer"],
                    hospital=data["hospital"],
                )
            except services.CaseExists as exc:
                form.add_error("id_number", exc.messages)
                form.existing = exc.case
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Case %(n)s registered for %(name)s.")
                    % {"n": case.pk, "name": mask_name(person.name)},
                )
                return redirect("tracing:case_detail", case.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "tracing/case_form.html", {"form": form}, status=status)


def _venues_for(case: Case, rows: list[Visit]) -> list[Venue]:
    """The places offered in the visit form: those of the case's township, and any the
    trajectory already holds."""
    nearby = list(
        Venue.objects.filter(region_q(case.region_id[:9], "region_id")).order_by("name", "id")[
            :VENUE_CHOICES
        ]
    )
    known = {v.pk for v in nearby}
    return nearby + [v.venue for v in rows if v.venue_id and v.venue_id not in known]


def _detail_context(request, case: Case, **forms) -> dict:
    rows = queries.visits(case)
    start, end = trajectory.window(case)
    may_act = request.user.can(C.INVESTIGATE) and covers(request.user, case.region_id)
    visit_form = forms.get("visit_form") or VisitForm(venues=_venues_for(case, rows))
    return {
        "case": case,
        "person": case.person,
        "history": queries.history(case),
        "deadlines": milestones.deadlines(case),
        "window_start": start,
        "window_end": end,
        "days": queries.visits_by_day(rows),
        "points": queries.map_points(rows),
        "may_act": may_act,
        "is_open": case.outcome == Outcome.OPEN,
        "reclassify_form": ReclassifyForm(),
        "assign_form": forms.get("assign_form") or AssignForm(),
        "hospital_form": HospitalForm(initial={"hospital": case.hospital}),
        "visit_form": visit_form,
        "outcomes": [o for o in Outcome if o != Outcome.OPEN],
        "followup": followups.latest_for(case),
    }


@require_safe
@capability_required(C.VIEW_CASES)
def case_detail(request, case_id: int):
    case = queries.visible_case(request.user, case_id)
    audit.record(request.user, "case.view", case, reason="web")
    context = _detail_context(request, case)
    context["map_config"] = {"points": context["points"], "labels": _map_labels()}
    return _private(render(request, "tracing/case_detail.html", context))


def _map_labels() -> dict:
    return {
        "suggested": _("Found automatically"),
        "confirmed": _("Confirmed"),
        "empty": _("No visit with a known location yet."),
    }


def _step(request, case_id: int, action, done_message: str):
    """Run one change on a case and come back to its page with the outcome."""
    case = queries.visible_case(request.user, case_id)
    try:
        action(case)
    except ValidationError as exc:
        messages.error(request, _("Refused: %(r)s") % {"r": _reasons(exc)})
    else:
        messages.success(request, done_message)
    return redirect("tracing:case_detail", case.pk)


@require_POST
@capability_required(C.INVESTIGATE)
def case_reclassify(request, case_id: int):
    form = ReclassifyForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}

    def act(case):
        if not data:
            raise ValidationError({"classification": _("choose a classification")})
        services.reclassify(request.user, case, data["classification"], note=data["note"])

    return _step(request, case_id, act, _("Classification changed."))


@require_POST
@capability_required(C.INVESTIGATE)
def case_assign(request, case_id: int):
    form = AssignForm(request.POST)

    def act(case):
        name = form.cleaned_data["epidemiologist"] if form.is_valid() else ""
        user = User.objects.filter(username=name).first()
        if user is None:
            raise ValidationError({"epidemiologist": _("no such user")})
        services.assign(request.user, case, user)

    return _step(request, case_id, act, _("Investigation assigned."))


@require_POST
@capability_required(C.INVESTIGATE)
def case_milestone(request, case_id: int, milestone: str):
    return _step(
        request,
        case_id,
        lambda case: services.reach_milestone(request.user, case, milestone),
        _("Milestone recorded."),
    )


@require_POST
@capability_required(C.INVESTIGATE)
def case_transfer(request, case_id: int):
    form = HospitalForm(request.POST)
    hospital = form.cleaned_data["hospital"] if form.is_valid() else ""
    if request.POST.get("admitted"):
        return _step(
            request,
            case_id,
            lambda case: services.record_admission(request.user, case, hospital=hospital),
            _("Admission recorded: the case is isolated."),
        )
    return _step(
        request,
        case_id,
        lambda case: services.order_transfer(request.user, case, hospital=hospital),
        _("Transfer ordered."),
    )


@require_POST
@capability_required(C.INVESTIGATE)
def case_isolate(request, case_id: int):
    return _step(
        request,
        case_id,
        lambda case: services.record_isolation(request.user, case),
        _("Isolation recorded: the trajectory window ends now."),
    )


@require_POST
@capability_required(C.INVESTIGATE)
def case_outcome(request, case_id: int):
    outcome = request.POST.get("outcome", "")
    return _step(
        request,
        case_id,
        lambda case: services.record_outcome(request.user, case, outcome),
        _("Outcome recorded: the case is closed."),
    )


@require_POST
@capability_required(C.INVESTIGATE)
def visit_add(request, case_id: int):
    case = queries.visible_case(request.user, case_id)
    rows = queries.visits(case)
    venues = _venues_for(case, rows)
    form = VisitForm(request.POST, venues=venues)
    if form.is_valid():
        data = form.cleaned_data
        venue = next((v for v in venues if v.pk == data["venue"]), None)
        try:
            trajectory.add_visit(
                request.user,
                case,
                venue=venue,
                address=data["address"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                companions=data["companions"],
                mask=data["mask"] or "",
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Visit added to the trajectory."))
            return redirect("tracing:case_detail", case.pk)
    context = _detail_context(request, case, visit_form=form)
    context["map_config"] = {"points": context["points"], "labels": _map_labels()}
    return _private(render(request, "tracing/case_detail.html", context, status=400))


def _visit_step(request, case_id: int, visit_id: int, action):
    """Confirm or remove one visit; htmx gets the visit's row back, a plain form the page."""
    case = queries.visible_case(request.user, case_id)
    visit = queries.visible_visit(request.user, case, visit_id)
    error = ""
    try:
        action(request.user, visit)
    except ValidationError as exc:
        error = _reasons(exc)
    if getattr(request, "htmx", None):
        context = {"visit": visit, "case": case, "may_act": True, "error": error}
        return _private(render(request, "tracing/case_visit_row.html", context))
    if error:
        messages.error(request, _("Refused: %(r)s") % {"r": error})
    return redirect("tracing:case_detail", case.pk)


@require_POST
@capability_required(C.INVESTIGATE)
def visit_confirm(request, case_id: int, visit_id: int):
    return _visit_step(request, case_id, visit_id, trajectory.confirm_visit)


@require_POST
@capability_required(C.INVESTIGATE)
def visit_remove(request, case_id: int, visit_id: int):
    return _visit_step(request, case_id, visit_id, trajectory.remove_visit)


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/new/", case_new, name="case_new"),
    path("cases/<int:case_id>/", case_detail, name="case_detail"),
    path("cases/<int:case_id>/classification/", case_reclassify, name="case_reclassify"),
    path("cases/<int:case_id>/assign/", case_assign, name="case_assign"),
    path("cases/<int:case_id>/milestone/<str:milestone>/", case_milestone, name="case_milestone"),
    path("cases/<int:case_id>/transfer/", case_transfer, name="case_transfer"),
    path("cases/<int:case_id>/isolate/", case_isolate, name="case_isolate"),
    path("cases/<int:case_id>/outcome/", case_outcome, name="case_outcome"),
    path("cases/<int:case_id>/visits/", visit_add, name="case_visit_add"),
    path(
        "cases/<int:case_id>/visits/<int:visit_id>/confirm/",
        visit_confirm,
        name="case_visit_confirm",
    ),
    path(
        "cases/<int:case_id>/visits/<int:visit_id>/remove/",
        visit_remove,
        name="case_visit_remove",
    ),
]
