"""Applications: the list in scope, the applicant's three forms, an application's page with
its stages and the decision form for its approver, the approver's queue, the attendee check
and the wartime switch."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core import audit, policy
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.places.models import Venue

from .. import queries
from ..forms import AbroadForm, DecisionForm, FamilyEventForm, MeetingForm, WartimeForm
from ..models import Application, Kind, Stage
from ..services import applications, approvals, contacts, routing, wartime

C = Capability


def _visible(request, application_id: int) -> Application:
    try:
        return queries.visible_application(request.user, application_id)
    except Application.DoesNotExist:
        raise Http404 from None


@require_safe
@capability_required(C.VIEW_GATHERINGS)
def application_list(request):
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    rows = queries.application_page(
        request.user, after=parse_cursor(request.GET.get("after")), kind=kind, status=status
    )
    context = {
        "applications": rows,
        "kinds": Kind.choices,
        "statuses": Application.Status.choices,
        "kind": kind,
        "status": status,
        "wartime": queries.wartime_at(),
        "next_after": rows[-1].pk if len(rows) == queries.PAGE else None,
    }
    return render(request, "gatherings/application_list.html", context)


@require_safe
@capability_required(C.APPROVE_GATHERINGS)
def queue(request):
    overdue_only = request.GET.get("overdue") == "1"
    now = timezone.now()
    stages = queries.queue_for(request.user, overdue_only=overdue_only, now=now)
    for stage in stages:
        stage.overdue = stage.is_overdue(now)
        stage.approver_label = routing.approver_label(stage.approver)
    context = {"stages": stages, "overdue_only": overdue_only}
    return render(request, "gatherings/queue.html", context)


def _filed(request, form, file, **extra):
    try:
        application = file(request.user, **form.cleaned_data, **extra)
    except ValidationError as refused:
        apply_errors(form, refused)
        return None
    if application.status == Application.Status.REFUSED:
        messages.warning(request, _("Refused by policy: %(r)s") % {"r": application.refusal_reason})
    else:
        messages.success(request, _("Filed: it awaits approval."))
    return redirect("gatherings:application_detail", application.pk)


@require_http_methods(["GET", "POST"])
@capability_required(C.APPLY_GATHERINGS)
def new_meeting(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        venue = Venue.objects.filter(pk=form.cleaned_data.pop("venue_id")).first()
        if venue is None:
            form.add_error("venue_id", _("no venue with this number"))
        elif done := _filed(request, form, applications.file_meeting, venue=venue):
            return done
    title = _("Apply for a meeting or event")
    return render(request, "gatherings/apply.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@capability_required(C.APPLY_GATHERINGS)
def new_family_event(request):
    form = FamilyEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = request.user.unit if form.cleaned_data.pop("by_employer") else None
        if done := _filed(request, form, applications.file_family_event, unit=unit):
            return done
    title = _("Register a wedding or funeral")
    return render(request, "gatherings/apply.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@capability_required(C.APPLY_GATHERINGS)
def new_abroad(request):
    form = AbroadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if done := _filed(request, form, applications.file_abroad):
            return done
    title = _("Apply to go abroad")
    return render(request, "gatherings/apply.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_GATHERINGS)
def application_detail(request, application_id: int):
    application = _visible(request, application_id)
    stages = queries.stages_of(application)
    now = timezone.now()
    current = next((s for s in stages if s.state == Stage.State.CURRENT), None)
    may_decide = (
        current is not None
        and request.user.can(C.APPROVE_GATHERINGS)
        and approvals.may_decide(request.user, current)
    )
    form = DecisionForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("this stage is not yours to decide"))
        if form.is_valid():
            try:
                approvals.decide(
                    request.user,
                    current,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                messages.success(request, _("Decided."))
                return redirect("gatherings:application_detail", application.pk)
    for stage in stages:
        stage.overdue = stage.is_overdue(now)
        stage.approver_label = routing.approver_label(stage.approver)
    attendees = list(application.attendees.all()[:500])
    for a in attendees:
        a.masked_name, a.masked_id = mask_name(a.name), mask_id_number(a.id_number)
    audit.record(request.user, "application.view", application)
    context = {
        "application": application,
        "stages": stages,
        "form": form,
        "attendees": attendees,
        "traveller": mask_name(application.person.name) if application.person else "",
    }
    return render(request, "gatherings/application_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_GATHERINGS)
def attendee_check(request, application_id: int):
    application = _visible(request, application_id)
    if request.method == "POST":
        try:
            written = contacts.attendees_to_candidates(request.user, application)
        except ValidationError as refused:
            messages.error(request, "; ".join(refused.messages))
        else:
            messages.success(
                request,
                _("Candidate contacts named for %(n)d case(s): %(w)d")
                % {"n": len(written), "w": sum(written.values())},
            )
        return redirect("gatherings:attendee_check", application.pk)
    rows = queries.attendee_check(application)
    for row in rows:
        row.masked_name = mask_name(row.attendee.name)
        row.masked_id = mask_id_number(row.attendee.id_number)
    audit.record(request.user, "application.attendee_check", application)
    context = {
        "application": application,
        "rows": rows,
        "missing": sum(1 for r in rows if r.missing),
        "cases": contacts.cases_among_attendees(application),
        "may_investigate": request.user.can(C.INVESTIGATE),
    }
    return render(request, "gatherings/attendee_check.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_GATHERINGS)
def wartime_page(request):
    may_set = request.user.can(C.SET_WARTIME)
    form = WartimeForm(request.POST or None) if may_set else None
    current = queries.wartime_at()
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("only the city office sets the wartime state"))
        try:
            if "end" in request.POST and current is not None:
                wartime.end(request.user, current)
                messages.success(request, _("The wartime state ends now."))
                return redirect("gatherings:wartime")
            if form.is_valid():
                data = form.cleaned_data
                wartime.declare(
                    request.user,
                    in_force_from=data["in_force_from"],
                    in_force_until=data["in_force_until"],
                    reason=data["reason"],
                )
                messages.success(request, _("Declared."))
                return redirect("gatherings:wartime")
        except ValidationError as refused:
            if form is not None:
                apply_errors(form, refused)
    context = {
        "current": current,
        "history": queries.wartime_history(),
        "form": form,
        "rules": policy.active().gatherings,
    }
    return render(request, "gatherings/wartime.html", context)
