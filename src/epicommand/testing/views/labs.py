"""Lab pages: the labs with their load and the boxes waiting for room (testing:lab_list),
one lab receiving boxes and uploading a results file (testing:lab_detail), sealing a box
at a site (testing:box_seal), and the recalls of a community (testing:recall_list,
testing:recall_resample). Reads go through testing.queries.labs (scoped); changes
through testing.services (audited)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list

from ..models import Lab, Recall, SamplingSite
from ..queries import labs as queries
from ..result_files import record_results_file
from ..services import labs as services
from ..services import recalls as recall_services

C = Capability


class LabForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=150)
    level = forms.ChoiceField(label=gettext_lazy("level"), choices=Lab.Level.choices)
    region_code = forms.CharField(label=gettext_lazy("region code"), max_length=12)
    latitude = forms.FloatField(label=gettext_lazy("latitude"))
    longitude = forms.FloatField(label=gettext_lazy("longitude"))
    daily_capacity = forms.IntegerField(label=gettext_lazy("tubes a day"), min_value=1)


class ReceiveForm(forms.Form):
    barcode = forms.CharField(label=gettext_lazy("box barcode"), max_length=32)


class ResultsFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("results file"),
        help_text=gettext_lazy(
            "CSV or XLSX with the columns tube, result, ct_orf1ab, ct_n, ct_e, reagent, tested_at"
        ),
    )


class SealForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("sampling site"), queryset=None)
    barcode = forms.CharField(label=gettext_lazy("box barcode"), max_length=32)
    tube_barcodes = forms.CharField(
        label=gettext_lazy("tube barcodes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("one per line, as scanned"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = SamplingSite.objects.visible_to(user).filter(is_active=True)

    def clean_tube_barcodes(self):
        return [
            line.strip() for line in self.cleaned_data["tube_barcodes"].splitlines() if line.strip()
        ]


class RecallFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("status"),
        choices=[("", gettext_lazy("all"))] + list(Recall.Status.choices),
        required=False,
    )
    overdue = forms.BooleanField(label=gettext_lazy("overdue only"), required=False)
    region = forms.CharField(label=gettext_lazy("region code"), max_length=12, required=False)


class ResampleForm(forms.Form):
    tube_barcode = forms.CharField(label=gettext_lazy("tube barcode"), max_length=32)


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_TESTING)
def lab_list(request):
    can_manage = request.user.can(C.MANAGE_TESTING)
    form = LabForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(C.MANAGE_TESTING)
        if form.is_valid():
            try:
                lab = services.create_lab(request.user, **form.cleaned_data)
                messages.success(request, _("Lab %(name)s set up.") % {"name": lab.name})
                return redirect("testing:lab_list")
            except ValidationError as exc:
                apply_errors(form, exc)
    context = {
        "loads": queries.lab_loads(request.user),
        "waiting": queries.waiting_boxes(request.user),
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "testing/lab_list.html", context)


@require_POST
@capability_required(C.MANAGE_TESTING)
def allocate_waiting(request):
    placed = services.allocate_waiting()
    messages.info(request, _("%(n)d waiting boxes allocated.") % {"n": placed})
    return redirect("testing:lab_list")


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_TESTING)
def lab_detail(request, lab_id: int):
    lab = queries.visible_lab(request.user, lab_id)
    can_record = request.user.can(C.RECORD_RESULTS)
    receive_form, upload_form, outcome = ReceiveForm(), ResultsFileForm(), None
    if request.method == "POST" and can_record:
        if "barcode" in request.POST:
            receive_form = ReceiveForm(request.POST)
            if receive_form.is_valid():
                try:
                    box = services.receive_box(
                        request.user, lab, receive_form.cleaned_data["barcode"]
                    )
                    text = (
                        _("Box %(b)s was already received.")
                        if box.replayed
                        else _("Box %(b)s received: %(n)d tubes.")
                    )
                    messages.success(request, text % {"b": box.barcode, "n": box.tubes})
                    return redirect("testing:lab_detail", lab_id=lab.pk)
                except ValidationError as exc:
                    apply_errors(receive_form, exc)
        else:
            upload_form = ResultsFileForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                outcome = record_results_file(request.user, lab, upload, upload.name)
                if outcome.batch is not None:
                    messages.success(request, outcome.summary)
                    return redirect("testing:lab_detail", lab_id=lab.pk)
    load = next((x for x in queries.lab_loads(request.user) if x.lab.pk == lab.pk), None)
    context = {
        "lab": lab,
        "load": load,
        "boxes": queries.lab_boxes(lab),
        "receive_form": receive_form,
        "upload_form": upload_form,
        "outcome": outcome,
        "can_record": can_record,
    }
    return render(request, "testing/lab_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.SAMPLE)
def box_seal(request):
    form = SealForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            box = services.seal_box(
                request.user, data["site"], data["barcode"], data["tube_barcodes"]
            )
            if box.lab_id:
                text = _("Box %(b)s sealed with %(n)d tubes: take it to %(lab)s.")
            else:
                text = _("Box %(b)s sealed with %(n)d tubes: no lab has room today, it waits.")
            lab_name = box.lab.name if box.lab_id else ""
            messages.success(request, text % {"b": box.barcode, "n": box.tubes, "lab": lab_name})
            return redirect("testing:box_seal")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "testing/lab_box_seal.html", {"form": form})


@require_safe
@capability_required(C.VIEW_TESTING)
def recall_list(request):
    form = RecallFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows, next_after = queries.recall_page(
        request.user,
        status=filters.get("status", ""),
        region=filters.get("region", ""),
        overdue_only=filters.get("overdue", False),
        after=parse_cursor(request.GET.get("after")),
    )
    context = {
        "form": form,
        "recalls": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "can_sample": request.user.can(C.SAMPLE),
    }
    return render_list(
        request, "testing/recall_list.html", "testing/recall_list_rows.html", context
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.SAMPLE)
def recall_resample(request, recall_id: int):
    recall = queries.visible_recall(request.user, recall_id)
    form = ResampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recall_services.resample(
                request.user, recall, tube_barcode=form.cleaned_data["tube_barcode"]
            )
            messages.success(request, _("Re-sampled %(name)s.") % {"name": recall.person.name})
            return redirect("testing:recall_list")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "testing/recall_resample.html", {"recall": recall, "form": form})


urlpatterns = [
    path("testing/labs/", lab_list, name="lab_list"),
    path("testing/labs/allocate/", allocate_waiting, name="lab_allocate"),
    path("testing/labs/<int:lab_id>/", lab_detail, name="lab_detail"),
    path("testing/boxes/", box_seal, name="box_seal"),
    path("testing/recalls/", recall_list, name="recall_list"),
    path("testing/recalls/<int:recall_id>/resample/", recall_resample, name="recall_resample"),
]
