"""Forms of the web UI. They check shape (types, lengths) and jurisdiction; the rules belong
to the services, whose ValidationError dicts `apply_errors` puts back on the fields."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import covers
from epicommand.core.models import Region, Role, Unit, User
from epicommand.core.services import note_failed_login
from epicommand.people.models import Sex
from epicommand.people.services import person_errors
from epicommand.places.models import Venue


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: known field names to their fields,
    anything else to the form as a whole, so no message is lost."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        if target is None and field != NON_FIELD_ERRORS:
            messages = [f"{field}: {m}" for m in messages]
        form.add_error(target, messages)


class LoginForm(AuthenticationForm):
    """Refuses a locked account before checking its password (so a locked account cannot
    be probed), and counts every wrong password towards the lockout."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "This account is locked after too many failed logins. "
            "Try again after %(until)s or ask your administrator to unlock it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        self._refuse_if_locked(username)
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            note_failed_login(username)
            self._refuse_if_locked(username)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _refuse_if_locked(self, username: str) -> None:
        user = User.objects.filter(username=username).only("locked_until").first()
        if user is not None and user.is_locked():
            until = timezone.localtime(user.locked_until).strftime("%H:%M")
            raise ValidationError(
                self.error_messages["locked"], code="locked", params={"until": until}
            )


class JurisdictionMixin:
    """Region codes typed into a form must lie inside the user's scope region."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_region_id(self):
        code = self.cleaned_data["region_id"].strip()
        if not covers(self.user, code):
            raise ValidationError(_("is outside your jurisdiction"))
        return code


class PersonForm(JurisdictionMixin, forms.Form):
    """Field names are those of people.services.register_person / update_person."""

    name = forms.CharField(label=_("full name"), max_length=100)
    id_number = forms.CharField(
        label=_("national ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters. Birth date and sex are read from it."),
    )
    passport_number = forms.CharField(
        label=_("passport number"),
        max_length=20,
        required=False,
        help_text=_("For foreigners without a national ID number."),
    )
    nationality = forms.CharField(
        label=_("nationality"),
        max_length=3,
        initial="CHN",
        help_text=_("ISO 3166 three-letter code"),
    )
    sex = forms.ChoiceField(
        label=_("sex"), required=False, choices=[("", _("from the ID number")), *Sex.choices]
    )
    birth_date = forms.DateField(
        label=_("birth date"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    address = forms.CharField(label=_("home address"), max_length=200, required=False)
    region_id = forms.CharField(
        label=_("region of residence"),
        max_length=12,
        help_text=_("Code of the village or community the person lives in."),
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )

    def clean(self):
        """Run the services' own field rules now, so every mistake shows at once instead
        of one round trip per field; the service checks again when it saves."""
        cleaned = super().clean()
        found = person_errors(dict(cleaned), region_exists=_region_exists)
        for field, message in found.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    @classmethod
    def initial_for(cls, person) -> dict:
        return {name: getattr(person, name) for name in PersonForm.base_fields}


def _region_exists(code: str) -> bool:
    return Region.objects.filter(code=code).exists()


class PersonEditForm(PersonForm):
    reason = forms.CharField(label=_("reason for the change"), max_length=500, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("A CSV (UTF-8) or Excel (.xlsx) file with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("must be a .csv or .xlsx file"))
        return upload


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


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("actor (user name)"), max_length=150, required=False)
    action = forms.CharField(label=_("action"), max_length=64, required=False)
    object_type = forms.CharField(label=_("object type"), max_length=64, required=False)
    object_id = forms.CharField(label=_("object id"), max_length=64, required=False)
    region = forms.CharField(label=_("region code starts with"), max_length=12, required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("to (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def time_range(self):
        """The date range as aware datetimes in local time (DESIGN rule 6)."""
        start = end = None
        if self.cleaned_data.get("date_from"):
            start = _local_midnight(self.cleaned_data["date_from"])
        if self.cleaned_data.get("date_to"):
            end = _local_midnight(self.cleaned_data["date_to"] + timedelta(days=1))
        return start, end


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class TokenIssueForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=100, help_text=_("Which device or system will use it.")
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.select_related("region"))
    region = forms.CharField(
        label=_("scope region"),
        max_length=12,
        widget=forms.TextInput(attrs={"list": "region-codes"}),
    )

    def clean_region(self):
        region = Region.objects.filter(code=self.cleaned_data["region"].strip()).first()
        if region is None:
            raise ValidationError(_("unknown region code"))
        return region


class TokenRevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)
