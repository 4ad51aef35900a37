"""Forms of the fever-clinic pages. They check shape; the rules (temperature range, known
symptoms, the mandatory tube) are testing.services.clinics', whose errors come back on the
fields through core.pages.forms.apply_errors."""

from uuid import uuid4

from django import forms
from django.utils.translation import gettext_lazy as _

from epicommand.core.pages.forms import JurisdictionMixin

from .models import FeverVisit
from .services import clinics as services


class ClinicForm(JurisdictionMixin, forms.Form):
    """Field names are those of services.create_clinic / update_clinic."""

    name = forms.CharField(label=_("name"), max_length=150)
    region_id = forms.RegexField(
        label=_("region code"),
        regex=r"^[0-9]{6,12}$",
        help_text=_("The county, township or village the clinic stands in."),
    )
    address = forms.CharField(label=_("address"), max_length=200)
    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    is_active = forms.BooleanField(label=_("open"), required=False, initial=True)

    @staticmethod
    def initial_for(clinic) -> dict:
        return {name: getattr(clinic, name) for name in (*services.CLINIC_FIELDS, "is_active")}


class VisitForm(forms.Form):
    """A patient at the desk: ID, temperature, symptoms, history, and the test tube."""

    id_number = forms.CharField(
        label=_("national ID number or passport number"),
        max_length=18,
        help_text=_("Patients from any district are found by their number."),
    )
    temperature = forms.DecimalField(
        label=_("temperature (°C)"), max_digits=3, decimal_places=1, localize=False
    )
    symptoms = forms.MultipleChoiceField(
        label=_("symptoms"),
        required=False,
        choices=list(services.SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    epi_flags = forms.MultipleChoiceField(
        label=_("epidemiological history"),
        required=False,
        choices=list(services.EPI_FLAGS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    epi_history = forms.CharField(
        label=_("history, in words"),
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where they have been, whom they met, since when they are ill."),
    )
    tube_barcode = forms.CharField(
        label=_("tube barcode"),
        max_length=32,
        required=False,  # the service refuses a missing tube, naming why it is mandatory
        help_text=_("Scan the single tube of the mandatory nucleic-acid test."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    # A double click or a resent form records the visit once.
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=48)

    @classmethod
    def fresh(cls):
        return cls(initial={"client_id": uuid4().hex})


class TriageForm(forms.Form):
    triage = forms.ChoiceField(
        label=_("send the patient"), choices=[c for c in FeverVisit.Triage.choices if c[0]]
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
