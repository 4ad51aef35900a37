"""Helpers every app's forms use. Forms check shape (types, lengths) and jurisdiction; the
rules belong to the services, whose ValidationError dicts `apply_errors` puts back on the
fields."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import covers

# Keys a service uses for the record's own state, not for anything the user typed: their
# messages stand alone on the form ("acknowledge the task first", "3 shares are still open").
STATE_KEYS = frozenset({NON_FIELD_ERRORS, "status"})


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: known field names to their fields,
    the record's state to the form as a whole, anything else to the form under the name
    of its field, so no message is lost."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        if target is None and field not in STATE_KEYS:
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
