"""The pages' forms: shape only; the rules (a failed item needs a photo, a photo is an image
by its content, the category's checklist) are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from epicommand.core import policy

from .models import DisinfectionRecord

PASSED, FAILED = "passed", "failed"
PHOTO_TYPES = "image/jpeg,image/png"


def category_choices():
    return [(c.code, c.name) for c in policy.active().prevention.categories]


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    venue_id = forms.IntegerField(label=_("Place number (if the unit is a place)"), required=False)
    region_code = forms.CharField(
        label=_("Region code (if it is not a place)"), max_length=12, required=False
    )
    responsible_name = forms.CharField(label=_("Responsible person"), max_length=60)
    responsible_phone = forms.CharField(label=_("Responsible person's phone"), max_length=20)


class InspectionForm(forms.Form):
    """One radio (passed / failed) and one photo field per checklist item."""

    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for item in checklist:
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=item.label,
                choices=[(PASSED, _("Passed")), (FAILED, _("Failed"))],
                widget=forms.RadioSelect,
            )
            self.fields[f"photo_{item.code}"] = forms.FileField(
                label=_("Photo"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": PHOTO_TYPES, "capture": "environment"}
                ),
            )

    def rows(self):
        """(item, its radio field, its photo field) for the template."""
        return [
            (item, self[f"item_{item.code}"], self[f"photo_{item.code}"]) for item in self.checklist
        ]

    def answers(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        results = {item.code: data[f"item_{item.code}"] == PASSED for item in self.checklist}
        photos = {
            item.code: [data[f"photo_{item.code}"]]
            for item in self.checklist
            if data.get(f"photo_{item.code}")
        }
        return results, photos


def service_field(key: str) -> str:
    """The form field of a service's error key: items.masks -> item_masks."""
    head, _dot, code = key.partition(".")
    return {"items": f"item_{code}", "photos": f"photo_{code}"}.get(head, key) if code else key


class DisinfectionRecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in DisinfectionRecord.Kind.choices if c[0] != "terminal"],
    )
    target = forms.CharField(label=_("Place or route"), max_length=200, required=False)
    venue_id = forms.IntegerField(label=_("Place number (if a registered place)"), required=False)
    region_code = forms.CharField(label=_("Region code"), max_length=12, required=False)
    agent = forms.CharField(label=_("Disinfectant"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CloseTaskForm(forms.Form):
    agent = forms.CharField(label=_("Disinfectant"), max_length=100)
    evidence = forms.FileField(
        label=_("Photo of the disinfection"),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_TYPES, "capture": "environment"}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def position_choices():
    return [(p.code, p.name) for p in policy.active().prevention.key_positions]


class StaffForm(forms.Form):
    document = forms.CharField(label=_("ID or passport number"), max_length=40)
    position = forms.ChoiceField(label=_("Key position"), choices=position_choices)
