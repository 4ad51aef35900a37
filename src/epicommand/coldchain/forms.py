"""The batch page's forms: shape only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Certificate


class ReceiptForm(forms.Form):
    quantity = forms.IntegerField(label=_("Packages received"), min_value=1)
    from_credit_code = forms.CharField(
        label=_("Sender's credit code (if several)"), max_length=18, required=False
    )


class DispatchForm(forms.Form):
    quantity = forms.IntegerField(label=_("Packages dispatched"), min_value=1)
    to_credit_code = forms.CharField(label=_("Receiver's credit code"), max_length=18)


class CertificateForm(forms.Form):
    """One of the batch's three certificates; whether the file is a PDF or an image (by its
    content) and whether the certificate is still valid are the service's to say."""

    kind = forms.ChoiceField(label=_("Certificate"), choices=Certificate.Kind.choices)
    number = forms.CharField(label=_("Certificate number"), max_length=60)
    issued_on = forms.DateField(
        label=_("Issued (or sampled) on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
