"""The sampling table's phone screen (/testing/table/).

The worker chooses the site and the round once; then for each resident scans their ID
card or health code into the first box (a barcode scanner types into it) and the tube's
barcode into the second. The answer comes back through htmx: who was registered (masked),
the tube filling ("3 / 10"), and, when it is full, that it closed and a new tube is
needed. The tube's barcode stays in its box while the tube is open, so the next resident
is one scan. Errors are shown in words next to the box they concern. Without JavaScript
the same forms post and the whole page comes back.

Every change goes through testing.services.sampling and testing.services.tubes."""

from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from epicommand.control.codes import PREFIX as HEALTH_CODE_PREFIX
from epicommand.core.access import Capability
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import wants_partial

from ..models import Round, Sample
from ..queries.samples import rounds_for_table, sites_for_table, visible_tube
from ..services import sampling, tubes

__all__ = ["urlpatterns"]


class TableForm(forms.Form):
    resident = forms.CharField(
        label=gettext_lazy("ID number or health code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "class": "scan"}
        ),
    )
    tube = forms.CharField(
        label=gettext_lazy("tube barcode"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "class": "scan"}
        ),
    )
    resample = forms.BooleanField(
        label=gettext_lazy("Deliberate re-sample (already sampled in this round)"), required=False
    )
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)

    @classmethod
    def fresh(cls, tube: str = ""):
        """Ready for the next resident: a new client id (a double tap on the button sends
        the same one, and the second is a replay), the open tube kept."""
        form = cls(initial={"tube": tube, "client_id": uuid4().hex})
        focus = "resident" if tube else "tube"
        form.fields[focus].widget.attrs["autofocus"] = True
        return form


@require_http_methods(["GET", "POST"])
@capability_required(Capability.SAMPLE)
def table(request):
    site, round_obj = _chosen(request)
    context = {
        "sites": sites_for_table(request.user),
        "rounds": rounds_for_table(),
        "site": site,
        "round": round_obj,
        "registered": None,
    }
    status = 200
    if site is None or request.method == "GET":
        context["form"] = TableForm.fresh()
    else:
        form = TableForm(request.POST)
        registered = _register(request, form, site, round_obj) if form.is_valid() else None
        if registered is None:
            status = 400
            context["form"] = form
        else:
            context["registered"] = registered
            context["form"] = TableForm.fresh("" if registered["closed"] else registered["tube"])
    return _answer(request, context, status)


@require_POST
@capability_required(Capability.SAMPLE)
def table_close(request):
    """End the open tube's pool early (the last resident has gone)."""
    site, round_obj = _chosen(request)
    tube = visible_tube(request.user, request.POST.get("tube", ""))
    if site is None or tube is None:
        raise Http404
    context = {"site": site, "round": round_obj, "registered": None, "form": TableForm.fresh()}
    status = 200
    try:
        tube = tubes.close_tube(request.user, tube)
    except ValidationError as exc:
        context["problem"] = " ".join(exc.messages)
        status = 400
    else:
        context["closed_by_hand"] = tube
    return _answer(request, context, status)


def _answer(request, context, status):
    if wants_partial(request):
        # htmx swaps only 2xx answers: a refusal with its reasons is the answer here.
        response = render(request, "testing/table_panel.html", context)
    else:
        context.setdefault("sites", sites_for_table(request.user))
        context.setdefault("rounds", rounds_for_table())
        response = render(request, "testing/table_page.html", context, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


def _chosen(request):
    """The site and round of the table, from the query string: a site outside the
    worker's jurisdiction is 404, as is a round that does not exist."""
    site_id, round_id = request.GET.get("site", ""), request.GET.get("round", "")
    site = round_obj = None
    if site_id:
        if not site_id.isdigit():
            raise Http404
        site = sites_for_table(request.user).filter(pk=int(site_id)).first()
        if site is None:
            raise Http404
    if round_id:
        if not round_id.isdigit():
            raise Http404
        round_obj = Round.objects.filter(pk=int(round_id)).first()
        if round_obj is None:
            raise Http404
    return site, round_obj


def _register(request, form: TableForm, site, round_obj) -> dict | None:
    data = form.cleaned_data
    scanned = data["resident"].strip()
    identity = (
        {"health_code": scanned}
        if scanned.upper().startswith(HEALTH_CODE_PREFIX)
        else {"id_number": scanned.upper()}
    )
    entry = {
        "client_id": data["client_id"],
        "tube": data["tube"],
        "resample": data["resample"],
        **identity,
    }
    if round_obj is not None:
        entry["round_id"] = round_obj.pk
    try:
        batch = sampling.register_samples(request.user, [entry], site=site)
    except ValidationError as exc:
        _errors_on_form(form, exc)
        return None
    outcome = batch.items[0]
    person = Sample.objects.select_related("person").get(client_id=outcome["client_id"]).person
    return {
        "tube": outcome["tube"],
        "members": outcome["members"],
        "capacity": outcome["capacity"],
        "closed": outcome["closed"],
        "replayed": outcome["status"] == sampling.REPLAYED,
        "name": mask_name(person.name),
        "id_number": mask_id_number(person.id_number) if person.id_number else person.masked_id,
    }


# Where the service names an item's field, the screen's box.
_FIELD_ON_SCREEN = {
    "id_number": "resident",
    "health_code": "resident",
    "person_id": "resident",
    "resample": "resident",
    "tube": "tube",
}


def _errors_on_form(form: TableForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        target = (
            _FIELD_ON_SCREEN.get(name.rsplit(".", 1)[-1]) if name.startswith("items[") else None
        )
        form.add_error(target, messages)
        if name.endswith(".resample"):
            form.add_error(None, _("Tick “Deliberate re-sample” to sample them again on purpose."))


urlpatterns = [
    path("testing/table/", table, name="table"),
    path("testing/table/close/", table_close, name="table_close"),
]
