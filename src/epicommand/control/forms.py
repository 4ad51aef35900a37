"""Forms of the checkpoint pages. They check shape (types, lengths); the rules (time
windows, temperatures, jurisdiction, permits) belong to services.checkpoints, whose
ValidationError dicts core.pages.forms.apply_errors puts back on the fields."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import scope_or_above_q
from epicommand.core.keyset import MAX_ID
from epicommand.core.models import Unit
from epicommand.testing.models import PriorityTest

from .models import Checkpoint, Direction, RiskLevel, Verdict
from .services.passage_checks import ID_NUMBER, MAX_VEHICLE_PEOPLE, PasserIn

_SEPARATORS = re.compile(r"[\s,，;；]+")


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def units_for(user):
    """Units that may staff a checkpoint of the user's: those inside their jurisdiction
    and the city-wide ones above it (the city's public security bureau)."""
    return (
        Unit.objects.filter(scope_or_above_q(user, "region_id"))
        .select_related("region")
        .order_by("region_id", "kind", "id")
    )


class CheckpointForm(forms.Form):
    """Field names are those of services.checkpoints.create_checkpoint."""

    name = forms.CharField(label=_("name"), max_length=150)
    kind = forms.ChoiceField(label=_("type"), choices=Checkpoint.Kind.choices)
    region_id = forms.CharField(
        label=_("region"),
        max_length=12,
        help_text=_("Code of the county, township or village it stands in."),
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )
    road = forms.CharField(label=_("road"), max_length=100, required=False)
    venue_id = forms.IntegerField(
        label=_("venue number"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("For a venue entrance: the venue it guards."),
    )
    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    unit_ids = forms.ModelMultipleChoiceField(
        label=_("staffing units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("in operation"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_ids"].queryset = units_for(user)

    def clean_unit_ids(self):
        return [unit.pk for unit in self.cleaned_data["unit_ids"]]

    def clean_region_id(self):
        return self.cleaned_data["region_id"].strip()

    @classmethod
    def initial_for(cls, checkpoint: Checkpoint) -> dict:
        return {
            "name": checkpoint.name,
            "kind": checkpoint.kind,
            "region_id": checkpoint.region_id,
            "road": checkpoint.road,
            "venue_id": checkpoint.venue_id,
            "latitude": checkpoint.latitude,
            "longitude": checkpoint.longitude,
            "unit_ids": list(checkpoint.units.values_list("pk", flat=True)),
            "is_active": checkpoint.is_active,
        }


class RecordForm(forms.Form):
    """The officer's phone screen: one passer (ID number typed or a health code scanned
    into the same box), the temperature, the direction; for a vehicle its plate, the
    other people in it and the permit."""

    passer = forms.CharField(
        label=_("ID number or health code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )
    temperature = forms.DecimalField(
        label=_("temperature (°C)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    direction = forms.ChoiceField(
        label=_("direction"),
        choices=Direction.choices,
        initial=Direction.IN,
        widget=forms.RadioSelect,
    )
    plate = forms.CharField(
        label=_("vehicle plate"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    passengers = forms.CharField(
        label=_("other people in the vehicle"),
        required=False,
        max_length=5000,
        help_text=_("One per line: ID number, then the temperature if taken."),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    permit_number = forms.CharField(
        label=_("permit number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    came_from = forms.CharField(
        label=_("coming from"),
        max_length=60,
        required=False,
        help_text=_("Entering only: the region the person comes from."),
    )
    came_from_risk = forms.ChoiceField(
        label=_("risk level there"),
        required=False,
        choices=[("", "—"), *RiskLevel.choices],
        help_text=_("From a medium- or high-risk region the person is an arrival."),
    )
    # A fresh id for each passer the form is shown for: a double tap, or a request the
    # phone sends again after losing the answer, records the passer once.
    client_id = forms.RegexField(
        regex=r"^[A-Za-z0-9._:-]{1,60}$", required=False, widget=forms.HiddenInput
    )

    @classmethod
    def fresh(cls, direction: str) -> "RecordForm":
        return cls(initial={"direction": direction, "client_id": f"web-{uuid.uuid4().hex}"})

    def passer_in(self) -> PasserIn:
        """The typed value is an ID number if it reads as one, else a health code."""
        value = "".join(self.cleaned_data["passer"].split()).upper()
        temperature = self.cleaned_data.get("temperature")
        if ID_NUMBER.match(value):
            return PasserIn(id_number=value, temperature=temperature)
        return PasserIn(health_code=self.cleaned_data["passer"].strip(), temperature=temperature)

    def clean_passengers(self):
        passengers = []
        lines = [line for line in self.cleaned_data["passengers"].splitlines() if line.strip()]
        if len(lines) >= MAX_VEHICLE_PEOPLE:
            raise ValidationError(_("at most %(n)d people") % {"n": MAX_VEHICLE_PEOPLE - 1})
        for number, line in enumerate(lines, start=1):
            parts = [p for p in _SEPARATORS.split(line.strip()) if p]
            if len(parts) > 2:
                raise ValidationError(
                    _("line %(n)d: an ID number and a temperature at most") % {"n": number}
                )
            identifier = parts[0].upper()
            temperature = parts[1] if len(parts) == 2 else None
            if ID_NUMBER.match(identifier):
                passengers.append(PasserIn(id_number=identifier, temperature=temperature))
            else:
                passengers.append(PasserIn(health_code=parts[0], temperature=temperature))
        return passengers


class PassageFilterForm(forms.Form):
    checkpoint = forms.TypedChoiceField(
        label=_("checkpoint"), required=False, coerce=int, empty_value=None
    )
    verdict = forms.ChoiceField(
        label=_("verdict"), required=False, choices=[("", _("all")), *Verdict.choices]
    )
    direction = forms.ChoiceField(
        label=_("direction"), required=False, choices=[("", _("both")), *Direction.choices]
    )
    date_from = forms.DateField(label=_("from"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("to (inclusive)"), required=False, widget=_date_input())
    plate = forms.CharField(label=_("vehicle plate"), max_length=20, required=False)
    fever = forms.BooleanField(label=_("fever only"), required=False)
    region = forms.RegexField(
        label=_("region code"), regex=r"^[0-9]{2,12}$", max_length=12, required=False
    )

    def __init__(self, *args, checkpoints, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].choices = [("", _("all checkpoints"))] + [
            (c.pk, c.name) for c in checkpoints
        ]


class PermitForm(forms.Form):
    plate = forms.CharField(label=_("vehicle plate"), max_length=20)
    holder = forms.CharField(label=_("holder"), max_length=100)
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    valid_from = forms.DateTimeField(label=_("valid from"), widget=_datetime_input())
    valid_until = forms.DateTimeField(label=_("valid until"), widget=_datetime_input())
    region_id = forms.CharField(
        label=_("issuing region"),
        max_length=12,
        required=False,
        help_text=_("Your city or county; yours if left empty."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)


class LockdownForm(forms.Form):
    region_id = forms.CharField(
        label=_("region"),
        max_length=12,
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)


class PriorityFilterForm(forms.Form):
    region = forms.RegexField(
        label=_("region code"), regex=r"^[0-9]{2,12}$", max_length=12, required=False
    )
    reason = forms.ChoiceField(
        label=_("reason"), required=False, choices=[("", _("all")), *PriorityTest.Reason.choices]
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    include_sampled = forms.BooleanField(label=_("include those sampled"), required=False)
