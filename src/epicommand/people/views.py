"""Person pages. Every read starts from Person.objects.visible_to(request.user) (through
search_persons or directly); lists show masked values; the detail page shows full values
and is audited once per view; every change goes through people.services."""

import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.models import FileJob
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import render_list
from epicommand.core.pages.regions import regions_in_scope

from . import services
from .file_jobs import export_persons, import_or_queue
from .forms import ImportForm, PersonEditForm, PersonForm
from .imports import COLUMNS as IMPORT_COLUMNS
from .models import Person
from .queries import search_persons


def _visible_person(request, person_id: int) -> Person:
    persons = Person.objects.visible_to(request.user)
    return get_object_or_404(persons.select_related("region", "household"), pk=person_id)


@require_safe
@capability_required(Capability.VIEW_PERSONS)
def person_list(request):
    query = request.GET.get("q", "").strip()
    # ?region= narrows the list to a county or village (the dashboard's figures link here).
    region = request.GET.get("region", "").strip()
    rows, next_after = search_persons(
        request.user, query, after=request.GET.get("after"), region_code=region or None
    )
    context = {"persons": rows, "next_after": next_after, "q": query, "region": region}
    # htmx swaps only the results, so typing in the search box keeps focus and position.
    return render_list(request, "people/person_list.html", "people/_person_results.html", context)


@require_safe
@capability_required(Capability.VIEW_PERSONS)
def person_detail(request, person_id: int):
    person = _visible_person(request, person_id)
    services.note_person_viewed(request.user, person)
    response = render(request, "people/person_detail.html", {"person": person})
    # Full ID and phone numbers must not linger in shared or proxy caches.
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_PERSONS)
def person_new(request):
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.register_person(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person %(name)s registered.") % {"name": person.name})
            return redirect("people:person_detail", person_id=person.pk)
    return _form_page(request, form, person=None)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_PERSONS)
def person_edit(request, person_id: int):
    person = _visible_person(request, person_id)
    if request.method == "GET":
        # The form is filled with the full ID and phone numbers: as much a view as the
        # detail page, so it is audited the same way.
        services.note_person_viewed(request.user, person, channel="web edit form")
    form = PersonEditForm(
        request.POST or None, user=request.user, initial=PersonForm.initial_for(person)
    )
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        reason = changes.pop("reason")
        try:
            services.update_person(request.user, person, reason=reason, **changes)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:person_detail", person_id=person.pk)
    return _form_page(request, form, person=person)


def _form_page(request, form, *, person):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "person": person, "regions": regions_in_scope(request.user)}
    response = render(request, "people/person_form.html", context, status=status)
    response["Cache-Control"] = "no-store, private"  # the form holds full ID and phone
    return response


@require_safe
@capability_required(Capability.EXPORT_PERSONS)
def person_export(request):
    """Streams the CSV page by page, or, above the policy's size (or as XLSX), sends the
    user to the background job's page; the audit event is written before either."""
    query = request.GET.get("q", "").strip()
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    exported = export_persons(request.user, query, fmt=fmt)
    if isinstance(exported, FileJob):
        messages.info(request, _("The export is large: it is being written in the background."))
        return redirect("web:file_detail", job_id=exported.pk)
    # The byte-order mark makes Excel, which most offices open CSVs with, read UTF-8.
    chunks = itertools.chain(["\ufeff"], exported)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="persons.csv"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
@capability_required(Capability.IMPORT_PERSONS)
def person_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_or_queue(request.user, upload)
        if isinstance(result, FileJob):
            messages.info(request, _("The file is large: it is being imported in the background."))
            return redirect("web:file_detail", job_id=result.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "people/person_import.html",
        {
            "form": form,
            "result": result,
            "columns": IMPORT_COLUMNS,
        },
        status=status,
    )
