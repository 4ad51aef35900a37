"""Helpers every app's forms use. Forms check shape (types, lengths) and jurisdiction; the
rules belong to the services, whose ValidationError dicts `apply_errors` puts back on the
fields."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import covers


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
