"""The pages' forms: shape only; the rules are the services'."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Kind

LOCAL = "%Y-%m-%dT%H:%M"


def _moment(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )


class MeetingForm(forms.Form):
    organizer = forms.CharField(label=_("Organizer"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    venue_id = forms.IntegerField(
        label=_("Venue number"), min_value=1, help_text=_("The venue's number on the places list")
    )
    starts_at = _moment(_("Starts at"))
    ends_at = _moment(_("Ends at"))
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=1_000_000)
    attendees = forms.CharField(
        label=_("Attendees"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One a line: name, ID number"),
    )

    def clean_attendees(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["attendees"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 2:
                raise ValidationError(_("line %(n)d: write name, ID number") % {"n": number})
            rows.append({"name": parts[0], "id_number": parts[1]})
        return rows


class FamilyEventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(Kind.WEDDING, Kind.WEDDING.label), (Kind.FUNERAL, Kind.FUNERAL.label)],
    )
    organizer = forms.CharField(label=_("Family"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    region_code = forms.CharField(label=_("Village code"), max_length=12)
    by_employer = forms.BooleanField(
        label=_("Registered with my unit (employer) rather than the village"), required=False
    )
    starts_at = _moment(_("Starts at"))
    ends_at = _moment(_("Ends at"))
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=1_000_000)


class AbroadForm(forms.Form):
    document = forms.CharField(label=_("Traveller's ID number"), max_length=20)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    destination = forms.CharField(label=_("Destination"), max_length=100)
    starts_at = _moment(_("Leaves on"))
    ends_at = _moment(_("Returns on"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(
        label=_("Note (the reason, when refusing)"), max_length=300, required=False
    )


class WartimeForm(forms.Form):
    in_force_from = _moment(_("In force from"))
    in_force_until = forms.DateTimeField(
        label=_("In force until (optional)"),
        required=False,
        input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    region_code = forms.CharField(label=_("Region code"), max_length=12)
    latitude = forms.FloatField(label=_("Latitude"))
    longitude = forms.FloatField(label=_("Longitude"))
    max_capacity = forms.IntegerField(label=_("Maximum capacity"), min_value=1)


class SlotsForm(forms.Form):
    first_start = _moment(_("First slot starts at"))
    minutes = forms.IntegerField(label=_("Minutes a slot"), initial=60)
    count = forms.IntegerField(label=_("Number of slots"), initial=8)


class GateForm(forms.Form):
    document = forms.CharField(
        label=_("ID card or passport number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=30,
        max_value=45,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("in", _("Entry")), ("out", _("Exit"))], initial="in"
    )
