"""The port desk's, the board's and the resident's declaration forms: shape only; the
rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.models import Region, Unit
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


class DeclarationForm(forms.Form):
    """The resident's own declaration of arriving (a public phone page)."""

    mode = forms.ChoiceField(
        label=_("how you came"), choices=Mode.choices, widget=forms.RadioSelect
    )
    trip_number = forms.CharField(
        label=_("flight or train number"),
        max_length=10,
        required=False,
        help_text=_("As on the ticket, e.g. CA1234 or G6701. Not needed by road."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    risk = forms.ChoiceField(
        label=_("where you came from"),
        choices=[
            (Risk.OVERSEAS, _("A country abroad")),
            (Risk.HIGH, _("A high-risk region in China")),
            (Risk.MEDIUM, _("A medium-risk region in China")),
            (Risk.LOW, _("A low-risk region in China")),
        ],
    )
    origin = forms.CharField(
        label=_("country or region"),
        max_length=60,
        help_text=_("The country, or the city and district, you came from."),
    )
    arrived_at = forms.DateTimeField(
        label=_("when you arrived"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    region_code = forms.ChoiceField(label=_("district and township you are going to"))
    destination_address = forms.CharField(
        label=_("address you are going to"),
        max_length=200,
        help_text=_("Street, building and room, or village and house number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        townships = Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent")
        self.fields["region_code"].choices = [("", "—")] + [
            (r.code, f"{r.parent.name} {r.name}" if r.parent else r.name)
            for r in townships.order_by("code")
        ]


class ExchangeFileForm(forms.Form):
    file = forms.FileField(
        label=_("exchange file from another city"),
        help_text=_("CSV, XLSX or JSON; the columns are in the operator guide."),
    )
