"""The vaccination pages' forms: shape only; the rules are the services'. Choices come
from the protocol edition in force (products, groups, the contraindication checklist)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from epicommand.core import policy

from .models import AdverseEvent


def _products():
    return [(p.code, p.name) for p in policy.active().vaccination.products]


def _groups():
    return [("", "—"), *policy.active().vaccination.groups]


class DoseForm(forms.Form):
    """The site desk: who, what, and the checklist asked aloud before the dose."""

    document = forms.CharField(label=_("ID or passport number"), max_length=20)
    product = forms.ChoiceField(label=_("Vaccine"), choices=_products)
    lot = forms.CharField(label=_("Lot"), max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in policy.active().vaccination.contraindications:
            self.fields[f"ci_{code}"] = forms.BooleanField(label=label, required=False)

    def screening(self) -> dict:
        rules = policy.active().vaccination
        return {code: self.cleaned_data[f"ci_{code}"] for code, _label in rules.contraindications}


class StockForm(forms.Form):
    product = forms.ChoiceField(label=_("Vaccine"), choices=_products)
    lot = forms.CharField(label=_("Lot"), max_length=30)
    doses = forms.IntegerField(label=_("Doses"), min_value=1, max_value=1_000_000)
    wasted = forms.BooleanField(label=_("Wasted (not received)"), required=False)


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (CSV or XLSX: id_number, group, job)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class StaffBookingForm(forms.Form):
    id_number = forms.CharField(label=_("Staff member's ID number"), max_length=18)
    slot = forms.IntegerField(label=_("Slot"), widget=forms.HiddenInput)


class ResidentBookingForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    group = forms.ChoiceField(
        label=_("Your key group (if not on an employer's roster)"), choices=_groups, required=False
    )


class AdverseEventForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=AdverseEvent.Severity.choices)
    symptoms = forms.CharField(label=_("Symptoms"), max_length=300)
    onset_at = forms.DateTimeField(
        label=_("Onset"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class FollowForm(forms.Form):
    note = forms.CharField(label=_("Follow-up note"), max_length=500, widget=forms.Textarea)
    outcome = forms.CharField(label=_("Outcome (to close)"), max_length=200, required=False)
    close = forms.BooleanField(label=_("Close the event"), required=False)
