"""Forms of the case pages. They check shape; the rules (dates, the window, an open case)
belong to services.cases and services.trajectory, whose errors `apply_errors` puts back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Classification, DetectionRoute, Visit

ID_NUMBER = r"^[0-9]{17}[0-9Xx]$"


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CaseFilterForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("classification"),
        required=False,
        choices=[("", _("all")), ("confirmed", _("confirmed (any)")), *Classification.choices],
    )
    overdue = forms.BooleanField(label=_("investigation overdue"), required=False)
    awaiting_epidemiologist = forms.BooleanField(
        label=_("awaiting an epidemiologist"), required=False
    )
    open_only = forms.BooleanField(label=_("open cases only"), required=False)
    region = forms.RegexField(
        label=_("region code"), regex=r"^[0-9]{2,12}$", required=False, max_length=12
    )
    reported = forms.DateField(label=_("reported on"), required=False, widget=_date_input())
    onset = forms.DateField(label=_("onset on"), required=False, widget=_date_input())


class CaseForm(forms.Form):
    id_number = forms.RegexField(
        label=_("ID number of the person"),
        regex=ID_NUMBER,
        max_length=18,
        error_messages={"invalid": _("18 digits, the last may be X")},
    )
    classification = forms.ChoiceField(label=_("classification"), choices=Classification.choices)
    detection_route = forms.ChoiceField(label=_("detected by"), choices=DetectionRoute.choices)
    onset_date = forms.DateField(label=_("onset date"), required=False, widget=_date_input())
    sampling_date = forms.DateField(
        label=_("sampling date"),
        required=False,
        widget=_date_input(),
        help_text=_("Required for an asymptomatic infection."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)
    order_transfer = forms.BooleanField(
        label=_("order the transfer to a designated hospital"), required=False
    )
    hospital = forms.CharField(label=_("designated hospital"), required=False, max_length=150)


class ReclassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("new classification"), choices=Classification.choices
    )
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class AssignForm(forms.Form):
    epidemiologist = forms.CharField(label=_("epidemiologist (user name)"), max_length=150)


class HospitalForm(forms.Form):
    hospital = forms.CharField(label=_("designated hospital"), required=False, max_length=150)


class VisitForm(forms.Form):
    venue = forms.TypedChoiceField(label=_("place"), required=False, coerce=int, empty_value=None)
    address = forms.CharField(label=_("or an address"), required=False, max_length=200)
    started_at = forms.DateTimeField(label=_("from"), widget=_datetime_input())
    ended_at = forms.DateTimeField(label=_("until"), widget=_datetime_input())
    companions = forms.CharField(label=_("companions"), required=False, max_length=300)
    mask = forms.ChoiceField(label=_("mask"), required=False, choices=Visit.Mask.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def __init__(self, *args, venues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", _("— a free address —"))] + [
            (v.pk, f"{v.name} ({v.address})") for v in venues
        ]
