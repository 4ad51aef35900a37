"""The port desk's and the board's forms: shape only; the rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.models import Unit
from epicommand.quarantine.models import Site

from .models import Flight, Mode, Risk


class ArrivalForm(forms.Form):
    flight = forms.ModelChoiceField(Flight.objects.none(), label=_("flight"), required=False)
    mode = forms.ChoiceField(label=_("how they came"), choices=Mode.choices, initial=Mode.FLIGHT)
    seat = forms.CharField(label=_("seat"), max_length=6, required=False)
    document = forms.CharField(label=_("passport or ID number"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=100)
    nationality = forms.CharField(label=_("nationality"), max_length=3, required=False)
    origin = forms.CharField(label=_("from"), max_length=60)
    risk = forms.ChoiceField(label=_("origin risk"), choices=Risk.choices)
    destination_address = forms.CharField(label=_("destination address"), max_length=200)
    region_code = forms.CharField(label=_("destination region code"), max_length=12)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["flight"].queryset = (
            Flight.objects.visible_to(user)
            .filter(arrival_date__gte=today - timezone.timedelta(days=1), arrival_date__lte=today)
            .select_related("route")
            .order_by("-arrival_date", "number")
        )


class TransferForm(forms.Form):
    transfer_unit = forms.ModelChoiceField(
        Unit.objects.filter(kind=Unit.Kind.TRANSPORT).order_by("name"), label=_("transfer team")
    )
    site = forms.ModelChoiceField(
        Site.objects.filter(is_active=True).order_by("name"), label=_("quarantine site")
    )
    vehicle = forms.CharField(label=_("vehicle"), max_length=30)
