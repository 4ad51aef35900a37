"""Person forms: registering and editing a person, and importing a file of persons."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from epicommand.core.models import Region
from epicommand.core.pages.forms import JurisdictionMixin

from .models import Sex
from .services import person_errors


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
