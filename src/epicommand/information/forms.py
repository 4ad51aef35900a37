"""The information pages' forms: shape only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from epicommand.core.models import Region

from .models import Article, Bulletin, Rumour


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)


class PressConferenceForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=100_000)
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    bulletins = forms.ModelMultipleChoiceField(
        label=_("Bulletins released"),
        queryset=Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED).order_by(
            "-day", "-version"
        ),
        required=False,
    )


def _regions():
    rows = Region.objects.filter(level__lte=Region.Level.COUNTY).order_by("level", "code")
    return [(r.code, r.name) for r in rows]


class RumourReportForm(forms.Form):
    claim = forms.CharField(label=_("What does it claim?"), max_length=2000, widget=forms.Textarea)
    where_seen = forms.CharField(
        label=_("Where did you see it?"),
        max_length=200,
        help_text=_("A chat group, an app, a notice on a street..."),
    )
    seen_on = forms.DateField(
        label=_("When?"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region_code = forms.ChoiceField(label=_("Where does it circulate?"), choices=())
    screenshot = forms.FileField(
        label=_("Screenshot (PNG or JPEG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = _regions()


class RulingForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Ruling"),
        choices=[(s, label) for s, label in Rumour.Status.choices if s != Rumour.Status.NEW],
    )
    ruling = forms.CharField(
        label=_("Grounds (the authoritative figures)"), max_length=2000, widget=forms.Textarea
    )
    refutation = forms.CharField(
        label=_("Public refutation (for a false claim)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea,
    )


class ReferralForm(forms.Form):
    note = forms.CharField(label=_("Note to public security"), max_length=500, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (v, label)
            for v, label in Rumour.Referral.choices
            if v not in ("", Rumour.Referral.REFERRED)
        ],
    )
    note = forms.CharField(label=_("What public security decided"), max_length=500)


class ArticleForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Article.Language.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text: a blank line starts a paragraph, lines starting '- ' a list."),
    )
