"""Forms of the monitoring and violation pages. They check shape; the rules (temperature
range, reagents, photo contents) belong to the services, whose errors
`core.pages.forms.apply_errors` puts back on the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.people import lookup

from ..models import Alert, HealthCheck, StayTest, Violation
from ..queries.monitoring import ALERT_DAYS_DEFAULT, ALERT_DAYS_MAX


def _local_datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class TemperatureInput(forms.NumberInput):
    """A phone's number pad with a decimal point; the range shows before sending."""

    def __init__(self, attrs=None):
        base = {"step": "0.1", "min": "34", "max": "43", "inputmode": "decimal"}
        super().__init__({**base, **(attrs or {})})


class CheckForm(forms.Form):
    temperature = forms.DecimalField(
        label=_("temperature (°C)"), max_digits=4, decimal_places=2, widget=TemperatureInput()
    )
    symptoms = forms.MultipleChoiceField(
        label=_("symptoms"),
        choices=HealthCheck.Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    checked_at = forms.DateTimeField(
        label=_("checked at"),
        required=False,
        help_text=_("Now if left empty."),
        widget=_local_datetime_widget(),
    )

    def clean_checked_at(self):
        return _aware(self.cleaned_data.get("checked_at"))


class SampleForm(forms.Form):
    reagent = forms.CharField(label=_("reagent"), max_length=60, required=False)
    sampled_at = forms.DateTimeField(
        label=_("sampled at"), required=False, widget=_local_datetime_widget()
    )

    def clean_sampled_at(self):
        return _aware(self.cleaned_data.get("sampled_at"))


RESULT_CHOICES = [
    (r, label)
    for r, label in StayTest.Result.choices
    if r in (StayTest.Result.NEGATIVE, StayTest.Result.POSITIVE, StayTest.Result.INVALID)
]


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=RESULT_CHOICES)
    reagent = forms.CharField(label=_("reagent"), max_length=60, required=False)


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all kinds")), *Alert.Kind.choices]
    )
    days = forms.IntegerField(
        label=_("last days"),
        required=False,
        min_value=1,
        max_value=ALERT_DAYS_MAX,
        initial=ALERT_DAYS_DEFAULT,
    )


class ViolationForm(forms.Form):
    """The person is found by ID number or passport number among those the user may
    see; a link from a stay fills it in."""

    person_number = forms.CharField(
        label=_("national ID number or passport number"),
        max_length=20,
        help_text=_("The person must live in your jurisdiction."),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Violation.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("occurred at"),
        required=False,
        help_text=_("Now if left empty."),
        widget=_local_datetime_widget(),
    )
    description = forms.CharField(
        label=_("what happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photo = forms.FileField(
        label=_("photo evidence"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_person_number(self):
        number = lookup.normalised(self.cleaned_data["person_number"])
        # Scoped: a violation is recorded against a person of the caller's jurisdiction.
        person = lookup.find_by_document(self.user, number)
        if person is None:
            raise ValidationError(_("no person in your jurisdiction has this number"))
        self.person = person
        return number

    def clean_occurred_at(self):
        return _aware(self.cleaned_data.get("occurred_at"))


class ViolationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("all")), *Violation.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all kinds")), *Violation.Kind.choices]
    )


class ReferForm(forms.Form):
    note = forms.CharField(label=_("note to the bureau"), max_length=500, required=False)


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("outcome"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
