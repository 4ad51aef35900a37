"""Venue forms: registering a venue and filtering the venue list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from epicommand.core.pages.forms import JurisdictionMixin

from .models import Venue


class VenueForm(JurisdictionMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=150)
    kind = forms.ChoiceField(label=_("type"), choices=Venue.Kind.choices)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    region_id = forms.CharField(
        label=_("region"), max_length=12, widget=forms.TextInput(attrs={"list": "region-codes"})
    )
    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)


class VenueFilterForm(forms.Form):
    region = forms.CharField(label=_("region code"), max_length=12, required=False)
    kind = forms.ChoiceField(
        label=_("type"), required=False, choices=[("", _("all types")), *Venue.Kind.choices]
    )
