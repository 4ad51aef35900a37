"""Fever-clinic pages: the clinics of one's jurisdiction with today's figures, setting a
clinic up, and a clinic's own page: the record-visit form (the doctor's desk), the day's
visits with their triage, and the clinic's daily report (also as CSV). Reads go through
testing.queries.clinics (scoped), changes through testing.services.clinics."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core import policy, spreadsheets
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.people import lookup

from ..forms import ClinicForm, DayForm, TriageForm, VisitForm
from ..models import FeverVisit
from ..queries import clinics as queries
from ..services import clinics as services

C = Capability
READERS = (C.VIEW_TESTING, C.FEVER_CLINIC, C.MANAGE_TESTING)


def clinic_reader(view):
    """Clinics are read by testing offices, their managers and the clinics' doctors."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not any(request.user.can(c) for c in READERS):
            raise PermissionDenied(C.VIEW_TESTING)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _private(response):
    # Patients' visits must not linger in shared or proxy caches.
    response["Cache-Control"] = "no-store, private"
    return response


def _day(request):
    form = DayForm(request.GET or None)
    day = form.cleaned_data.get("day") if form.is_bound and form.is_valid() else None
    return form, day or timezone.localdate()


# The clinics -------------------------------------------------------------------------------


@require_safe
@clinic_reader
def clinic_list(request):
    form, day = _day(request)
    clinics, next_after = queries.clinic_page(
        request.user,
        region=request.GET.get("region") or None,
        after=parse_cursor(request.GET.get("after")),
    )
    context = {
        "form": form,
        "day": day,
        "report": queries.daily_report(clinics, day),
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "testing/clinic_list.html", "testing/clinic_list_rows.html", context
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TESTING)
def clinic_new(request):
    form = ClinicForm(request.POST or None, user=request.user, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            clinic = services.create_clinic(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Fever clinic %(n)s set up.") % {"n": clinic.name})
            return redirect("testing:clinic_detail", clinic_id=clinic.pk)
    return _clinic_form(request, form, None)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TESTING)
def clinic_edit(request, clinic_id: int):
    clinic = queries.visible_clinic(request.user, clinic_id)
    form = ClinicForm(
        request.POST or None, user=request.user, initial=ClinicForm.initial_for(clinic)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_clinic(request.user, clinic, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Fever clinic %(n)s saved.") % {"n": clinic.name})
            return redirect("testing:clinic_detail", clinic_id=clinic.pk)
    return _clinic_form(request, form, clinic)


def _clinic_form(request, form, clinic):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "clinic": clinic}
    return render(request, "testing/clinic_form.html", context, status=status)


# One clinic: the desk, the day's visits, the report -------------------------------------------


@require_http_methods(["GET", "POST"])
@clinic_reader
def clinic_detail(request, clinic_id: int):
    clinic = queries.visible_clinic(request.user, clinic_id)
    may_record = request.user.can(C.FEVER_CLINIC) and clinic.is_active
    visit_form, status = (VisitForm.fresh() if may_record else None), 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(C.FEVER_CLINIC)
        visit_form = VisitForm(request.POST)
        if (visit := _record(request, clinic, visit_form)) is not None:
            messages.success(
                request,
                _("Visit of %(p)s recorded; tube %(t)s sent for the test.")
                % {"p": mask_name(visit.person.name), "t": visit.sample.tube.barcode},
            )
            return redirect("testing:clinic_detail", clinic_id=clinic.pk)
        status = 400
    day_form, day = _day(request)
    visits, next_after = [], None
    if request.user.can(C.FEVER_CLINIC):
        visits, next_after = queries.visits_of_day(
            request.user, clinic, day, after=parse_cursor(request.GET.get("after"))
        )
        for visit in visits:
            visit.masked_name = mask_name(visit.person.name)
            visit.symptom_labels = [services.SYMPTOMS.get(s, s) for s in visit.symptoms]
    (report,) = queries.daily_report([clinic], day)
    context = {
        "clinic": clinic,
        "visit_form": visit_form,
        "day_form": day_form,
        "day": day,
        "is_today": day == timezone.localdate(),
        "report": report,
        "visits": visits,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "triage_form": TriageForm(),
        "threshold": policy.active().fever_threshold_c,
    }
    return _private(render(request, "testing/clinic_detail.html", context, status=status))


def _record(request, clinic, form: VisitForm):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    # Outside jurisdiction: a patient from any county walks in (audited; answered masked).
    person = lookup.find_outside_jurisdiction(
        request.user, data["id_number"], purpose=lookup.Purpose.FEVER_CLINIC
    )
    if person is None:
        form.add_error("id_number", _("no registered person has this number"))
        return None
    try:
        return services.record_visit(
            request.user,
            clinic,
            person,
            temperature=data["temperature"],
            symptoms=data["symptoms"],
            epi_flags=data["epi_flags"],
            epi_history=data["epi_history"],
            tube_barcode=data["tube_barcode"],
            client_id=data["client_id"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@require_POST
@capability_required(C.FEVER_CLINIC)
def visit_triage(request, visit_id: int):
    visit = queries.visible_visit(request.user, visit_id)
    form = TriageForm(request.POST)
    target = reverse("testing:clinic_detail", args=[visit.clinic_id])
    if not form.is_valid():
        messages.error(request, _("Choose where the patient goes."))
        return redirect(target)
    try:
        result = services.set_triage(
            request.user, visit, form.cleaned_data["triage"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(target)
    text = _("%(p)s: %(t)s.") % {
        "p": mask_name(visit.person.name),
        "t": result.visit.get_triage_display(),
    }
    if result.case is not None:
        text += " " + (
            _("The patient already has open case %(n)s.")
            if result.case_existed
            else _("Suspected case %(n)s reported, with a transfer order.")
        ) % {"n": result.case.pk}
    messages.success(request, text)
    day = timezone.localdate(visit.visited_at)
    return redirect(f"{target}?day={day:%Y-%m-%d}")


@require_safe
@capability_required(C.FEVER_CLINIC)
def visit_detail(request, visit_id: int):
    """The patient in full: audited."""
    visit = queries.visible_visit(request.user, visit_id)
    services.note_visit_viewed(request.user, visit)
    context = {
        "visit": visit,
        "patient": lookup.as_seen_by(request.user, visit.person),
        "symptoms": [services.SYMPTOMS.get(s, s) for s in visit.symptoms],
        "flags": [services.EPI_FLAGS[f] for f in visit.epi_flags if f in services.EPI_FLAGS],
        "history": visit.epi_history,
        "triage_form": TriageForm(),
        "may_triage": visit.triage != FeverVisit.Triage.HOSPITAL,
    }
    return _private(render(request, "testing/clinic_visit.html", context))


# The daily report as CSV ---------------------------------------------------------------------


@require_safe
@clinic_reader
def clinic_report_csv(request):
    """The day's report of every clinic in one's jurisdiction (counts, no person)."""
    _form, day = _day(request)
    clinics, _next = queries.clinic_page(request.user, limit=queries.MAX_PAGE)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fever-clinics-{day:%Y-%m-%d}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 Chinese names with the mark
    writer = spreadsheets.CsvWriter(response)
    T = FeverVisit.Triage
    writer.writerow(
        [
            _("day"),
            _("clinic"),
            _("region"),
            _("visits"),
            _("with fever"),
            _("tested"),
            _("negative"),
            _("positive"),
            _("result pending"),
            *[str(label) for _value, label in T.choices],
        ]
    )
    for line in queries.daily_report(clinics, day):
        writer.writerow(
            [
                f"{day:%Y-%m-%d}",
                line.clinic.name,
                line.clinic.region.name,
                line.visits,
                line.with_fever,
                line.tested,
                line.negative,
                line.positive,
                line.pending,
                *[line.triage[value] for value in T.values],
            ]
        )
    return response


urlpatterns = [
    path("testing/clinics/", clinic_list, name="clinic_list"),
    path("testing/clinics/new/", clinic_new, name="clinic_new"),
    path("testing/clinics/report.csv", clinic_report_csv, name="clinic_report_csv"),
    path("testing/clinics/<int:clinic_id>/", clinic_detail, name="clinic_detail"),
    path("testing/clinics/<int:clinic_id>/edit/", clinic_edit, name="clinic_edit"),
    path("testing/clinics/visits/<int:visit_id>/", visit_detail, name="clinic_visit"),
    path("testing/clinics/visits/<int:visit_id>/triage/", visit_triage, name="clinic_visit_triage"),
]
