"""The batch page's forms: shape only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReceiptForm(forms.Form):
    quantity = forms.IntegerField(label=_("Packages received"), min_value=1)
    from_credit_code = forms.CharField(
        label=_("Sender's credit code (if several)"), max_length=18, required=False
    )


class DispatchForm(forms.Form):
    quantity = forms.IntegerField(label=_("Packages dispatched"), min_value=1)
    to_credit_code = forms.CharField(label=_("Receiver's credit code"), max_length=18)
