"""Contact pages: one case's contacts panel (the partial the case page loads by htmx: its
contacts with their deadlines and status buttons, the co-presence candidates to confirm or
dismiss, the form for a contact from the interview) and the citywide contact list, keyset
paginated and masked, with overdue contacts flagged. Reads start from
tracing.queries.contacts; changes go through services.contacts."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list, wants_partial
from epicommand.people import lookup

from ..models import Case, Contact, Degree, Setting
from ..queries import contacts as queries
from ..services import contacts as services

C = Capability
NEXT_STATUS = {
    Contact.Status.IDENTIFIED: (Contact.Status.NOTIFIED, Contact.Status.CONTROLLED),
    Contact.Status.NOTIFIED: (Contact.Status.CONTROLLED,),
    Contact.Status.CONTROLLED: (Contact.Status.RELEASED,),
}
STATUS_BUTTONS = {
    Contact.Status.NOTIFIED: gettext_lazy("Notified"),
    Contact.Status.CONTROLLED: gettext_lazy("Under control"),
    Contact.Status.RELEASED: gettext_lazy("Release"),
}


class ContactForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID or passport number"), max_length=20)
    degree = forms.ChoiceField(
        label=gettext_lazy("degree"), choices=[(d, d.label) for d in (Degree.CLOSE, Degree.GENERAL)]
    )
    setting = forms.ChoiceField(label=gettext_lazy("setting"), choices=Setting.choices)
    last_exposure_at = forms.DateTimeField(
        label=gettext_lazy("last exposure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=300, required=False)

    def __init__(self, *args, who=None, **kwargs):
        self.who = who  # the investigator naming the contact
        super().__init__(*args, **kwargs)

    def clean_id_number(self):
        number = lookup.normalised(self.cleaned_data["id_number"])
        # Outside jurisdiction: a contact is named wherever they live and referred to their
        # county (audited; the panel lists only the caller's own contacts, masked).
        person = lookup.find_outside_jurisdiction(
            self.who, number, purpose=lookup.Purpose.CONTACT_NAMING
        )
        if person is None:
            raise ValidationError(_("no person with this number is registered"))
        self.person = person
        return number


class ContactFilterForm(forms.Form):
    degree = forms.ChoiceField(
        label=gettext_lazy("degree"), choices=[("", "—"), *Degree.choices], required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("status"), choices=[("", "—"), *Contact.Status.choices], required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("overdue only"), required=False)
    region = forms.CharField(label=gettext_lazy("region code"), max_length=12, required=False)


# One case's panel -------------------------------------------------------------------------


def _panel(request, case: Case, *, form=None, problem="", status=200):
    contacts = queries.case_contacts(request.user, case)
    queries.mark_overdue(contacts)
    may_act = request.user.can(C.INVESTIGATE)
    for contact in contacts:
        steps = NEXT_STATUS.get(contact.status, ()) if may_act else ()
        contact.buttons = [(s, STATUS_BUTTONS[s]) for s in steps]
    context = {
        "case": case,
        "contacts": contacts,
        "candidates": queries.case_candidates(case),
        "may_act": may_act,
        "form": form or ContactForm(initial={"degree": Degree.CLOSE}),
        "problem": problem,
        "now": timezone.now(),
    }
    return render(request, "tracing/case_contacts.html", context, status=status)


@require_safe
@capability_required(C.VIEW_CASES)
def case_contacts(request, case_id: int):
    return _panel(request, queries.visible_case(request.user, case_id))


def _after_action(request, case: Case):
    """htmx swaps the panel in place; a plain form post goes back to the case page."""
    if wants_partial(request):
        return _panel(request, case)
    return redirect("tracing:case_detail", case_id=case.pk)


@require_POST
@capability_required(C.INVESTIGATE)
def contact_add(request, case_id: int):
    case = queries.visible_case(request.user, case_id)
    form = ContactForm(request.POST, who=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_contact(
                request.user,
                case,
                form.person,
                degree=data["degree"],
                setting=data["setting"],
                last_exposure_at=data["last_exposure_at"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _after_action(request, case)
    return _panel(request, case, form=form, status=_refused(request))


def _refused(request) -> int:
    # htmx swaps only a 2xx answer: the panel comes back with the reasons in it.
    return 200 if wants_partial(request) else 400


@require_POST
@capability_required(C.INVESTIGATE)
def contact_status(request, contact_id: int):
    contact = queries.visible_contact(request.user, contact_id)
    try:
        services.set_status(request.user, contact, request.POST.get("status", ""))
    except ValidationError as exc:
        return _panel(
            request, contact.case, problem=" ".join(exc.messages), status=_refused(request)
        )
    return _after_action(request, contact.case)


@require_POST
@capability_required(C.INVESTIGATE)
def candidate_confirm(request, candidate_id: int):
    candidate = queries.visible_candidate(request.user, candidate_id)
    try:
        services.confirm_candidate(request.user, candidate, degree=request.POST.get("degree", ""))
    except ValidationError as exc:
        return _panel(
            request, candidate.case, problem=" ".join(exc.messages), status=_refused(request)
        )
    return _after_action(request, candidate.case)


@require_POST
@capability_required(C.INVESTIGATE)
def candidate_dismiss(request, candidate_id: int):
    candidate = queries.visible_candidate(request.user, candidate_id)
    try:
        services.dismiss_candidate(request.user, candidate)
    except ValidationError as exc:
        return _panel(
            request, candidate.case, problem=" ".join(exc.messages), status=_refused(request)
        )
    return _after_action(request, candidate.case)


# Citywide list -------------------------------------------------------------------------------


@require_safe
@capability_required(C.VIEW_CASES)
def contact_list(request):
    form = ContactFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    now = timezone.now()
    rows, next_after = queries.contact_page(
        request.user,
        degree=filters.get("degree", ""),
        status=filters.get("status", ""),
        overdue=filters.get("overdue", False),
        region=(filters.get("region") or "").strip(),
        case_id=parse_cursor(request.GET.get("case")),
        after=parse_cursor(request.GET.get("after")),
        now=now,
    )
    queries.mark_overdue(rows, now)
    context = {
        "form": form,
        "contacts": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "tracing/contact_list.html", "tracing/contact_list_rows.html", context
    )


urlpatterns = [
    path("contacts/", contact_list, name="contact_list"),
    path("cases/<int:case_id>/contacts/", case_contacts, name="case_contacts"),
    path("cases/<int:case_id>/contacts/add/", contact_add, name="case_contact_add"),
    path("contacts/<int:contact_id>/status/", contact_status, name="contact_status"),
    path("candidates/<int:candidate_id>/confirm/", candidate_confirm, name="candidate_confirm"),
    path("candidates/<int:candidate_id>/dismiss/", candidate_dismiss, name="candidate_dismiss"),
]
