"""Forms of the web shell: login, the audit log filter, API tokens and protocol editions.
The helpers every app's forms share are in core.pages.forms; person and venue forms in
people and places."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core import policy
from epicommand.core.models import Region, Role, Unit, User


class LoginForm(AuthenticationForm):
    """Says why a login was refused: the lockout itself is core.backends' (a locked
    account's password is never tried, so it cannot be probed), shared by every way in."""

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
            self._refuse_if_locked(username)  # this failure may have been the last one
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


class AdminLoginForm(LoginForm):
    """The admin's login page: the same lockout and messages, then the admin's own rule
    (staff accounts only)."""

    error_messages = {**AdminAuthenticationForm.error_messages, **LoginForm.error_messages}
    required_css_class = AdminAuthenticationForm.required_css_class

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
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


class EditionChoiceForm(forms.Form):
    """The city office's switch of protocol edition: the rules (not backwards, not the
    edition already in force then) are core.services.choose_edition's."""

    edition = forms.ChoiceField(
        label=_("protocol edition"),
        choices=[(code, edition.name) for code, edition in policy.EDITIONS.items()],
    )
    in_force_from = forms.DateTimeField(
        label=_("in force from (Beijing time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Plans and cases begun before this moment keep the edition they began under."),
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The document or decision behind the switch."),
    )


class TwoFactorCodeForm(forms.Form):
    """The six digits an authenticator shows (or, at login, a recovery code)."""

    code = forms.CharField(
        label=_("code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].help_text = _(
                "The 6 digits your authenticator app shows now, or one of your recovery codes."
            )
            self.fields["code"].widget.attrs.pop("inputmode")


class TwoFactorResetForm(forms.Form):
    username = forms.CharField(label=_("user name"), max_length=150)
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why: a lost or replaced phone, confirmed how."),
    )
