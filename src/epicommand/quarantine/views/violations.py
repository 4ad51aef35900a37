"""Violation pages: the list (supervisors included), recording one with a photo, the
detail page (audited) with the referral and closing steps, and the photo, served only
through a scoped, audited view. Reads start from Violation.objects.visible_to(user)
(through quarantine.queries.violations); changes go through quarantine.services.violations."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.people.models import Person

from ..forms.monitoring import CloseForm, ReferForm, ViolationFilterForm, ViolationForm
from ..models import Stay, Violation
from ..queries import violations as queries
from ..services import violations as services

C = Capability
S = Violation.Status


@require_safe
@capability_required(C.VIEW_VIOLATIONS)
def violation_list(request):
    form = ViolationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows, next_after = queries.violation_page(
        request.user,
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        region=request.GET.get("region", "").strip(),
        after=parse_cursor(request.GET.get("after")),
    )
    context = {
        "form": form,
        "violations": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "quarantine/violation_list.html", "quarantine/violation_list_rows.html", context
    )


def _prefill(request) -> tuple[dict, Stay | None]:
    """?stay= or ?person= from a stay's or a person's page fills in the person."""
    stay = None
    person = None
    if stay_id := parse_cursor(request.GET.get("stay")):
        stays = Stay.objects.visible_to(request.user).select_related("person")
        stay = stays.filter(pk=stay_id).first()
        person = stay.person if stay is not None else None
    elif person_id := parse_cursor(request.GET.get("person")):
        person = Person.objects.visible_to(request.user).filter(pk=person_id).first()
    if person is None:
        return {}, None
    return {"person_number": person.id_number or person.passport_number}, stay


@require_http_methods(["GET", "POST"])
@capability_required(C.RECORD_VIOLATIONS)
def violation_new(request):
    initial, stay = _prefill(request)
    form = ViolationForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if stay is not None and stay.person_id != form.person.pk:
            stay = None
        try:
            violation = services.record_violation(
                request.user,
                form.person,
                kind=data["kind"],
                description=data["description"],
                occurred_at=data["occurred_at"],
                photo=data["photo"],
                stay=stay,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Violation recorded: %(kind)s, %(name)s.")
                % {"kind": violation.get_kind_display(), "name": form.person.name},
            )
            if request.user.can(C.VIEW_VIOLATIONS):
                return redirect("quarantine:violation_detail", violation_id=violation.pk)
            return redirect("quarantine:violation_new")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "quarantine/violation_form.html", {"form": form}, status=status)


def _detail_page(request, violation, *, status=200, **forms):
    may_act = request.user.can(C.RECORD_VIOLATIONS)
    context = {
        "violation": violation,
        "person": violation.person,
        "may_refer": may_act and violation.status == S.RECORDED,
        "may_close": may_act and violation.status != S.CLOSED,
        "bureau": services.public_security_for(violation.region_id)
        if violation.status == S.RECORDED
        else None,
        "refer_form": forms.get("refer_form") or ReferForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "action_errors": forms.get("action_errors", []),
    }
    response = render(request, "quarantine/violation_detail.html", context, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
@capability_required(C.VIEW_VIOLATIONS)
def violation_detail(request, violation_id: int):
    violation = queries.visible_violation(request.user, violation_id)
    services.note_violation_viewed(request.user, violation)
    return _detail_page(request, violation)


@require_safe
@capability_required(C.VIEW_VIOLATIONS)
def violation_photo(request, violation_id: int):
    violation = queries.visible_violation(request.user, violation_id)
    if not violation.photo:
        raise Http404
    services.note_photo_opened(request.user, violation)
    response = FileResponse(violation.photo.open("rb"), filename=services.photo_name(violation))
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _step(request, violation_id, form_class, form_key, step, success):
    violation = get_object_or_404(Violation.objects.visible_to(request.user), pk=violation_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            step(request.user, violation, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("quarantine:violation_detail", violation_id=violation.pk)
    violation = queries.visible_violation(request.user, violation_id)
    return _detail_page(request, violation, status=400, **{form_key: form})


@require_POST
@capability_required(C.RECORD_VIOLATIONS)
def violation_refer(request, violation_id: int):
    return _step(
        request,
        violation_id,
        ReferForm,
        "refer_form",
        services.refer_violation,
        _("Referred to public security; the bureau was notified."),
    )


@require_POST
@capability_required(C.RECORD_VIOLATIONS)
def violation_close(request, violation_id: int):
    return _step(
        request,
        violation_id,
        CloseForm,
        "close_form",
        services.close_violation,
        _("Violation closed."),
    )


urlpatterns = [
    path("quarantine/violations/", violation_list, name="violation_list"),
    path("quarantine/violations/new/", violation_new, name="violation_new"),
    path("quarantine/violations/<int:violation_id>/", violation_detail, name="violation_detail"),
    path(
        "quarantine/violations/<int:violation_id>/photo/", violation_photo, name="violation_photo"
    ),
    path(
        "quarantine/violations/<int:violation_id>/refer/", violation_refer, name="violation_refer"
    ),
    path(
        "quarantine/violations/<int:violation_id>/close/", violation_close, name="violation_close"
    ),
]
