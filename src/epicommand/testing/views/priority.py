"""Sampling a person from the priority-testing list. The list itself is control's page
(control:priority_test_list, /priority-tests/), which shows each entry's nearest site or
door-to-door slot from testing.services.priority and links here ("sample now"): the
sampler scans a new single tube and the entry is marked sampled."""

from uuid import uuid4

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from epicommand.core.access import Capability
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from ..models import PriorityTest
from ..services import priority as services

C = Capability


class SampleForm(forms.Form):
    tube_barcode = forms.CharField(
        label=gettext_lazy("tube barcode"),
        max_length=32,
        help_text=gettext_lazy("Scan a new single tube."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    door_to_door = forms.BooleanField(label=gettext_lazy("sampled at home"), required=False)
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


@require_http_methods(["GET", "POST"])
@capability_required(C.SAMPLE)
def priority_sample(request, entry_id: int):
    entry = get_object_or_404(
        PriorityTest.objects.visible_to(request.user).select_related("person", "region"),
        pk=entry_id,
    )
    plan = services.plan_for([entry])[entry.pk]
    form = SampleForm(
        request.POST or None,
        initial={"door_to_door": plan.door_to_door, "client_id": f"priority-{uuid4().hex}"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = services.sample_entry(
                request.user,
                entry,
                tube_barcode=data["tube_barcode"],
                door_to_door=data["door_to_door"],
                site=None if data["door_to_door"] else plan.site,
                client_id=data["client_id"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(p)s sampled into tube %(t)s.")
                % {"p": mask_name(entry.person.name), "t": sample.tube.barcode},
            )
            return redirect("control:priority_test_list")
    context = {
        "entry": entry,
        "plan": plan,
        "masked_name": mask_name(entry.person.name),
        "form": form,
    }
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "testing/priority_sample.html", context, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns = [
    path("testing/priority/<int:entry_id>/sample/", priority_sample, name="priority_sample"),
]
