"""The pages' forms: shape only; the rules are the services'."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from epicommand.core.pages.forms import JurisdictionMixin

from .models import Item, MaterialRequest

ITEMS = Item.Code.choices


class RequestForm(JurisdictionMixin, forms.Form):
    """A place asks its warehouse: up to three items on the page (the API takes more)."""

    place_kind = forms.ChoiceField(label=_("Kind of place"), choices=MaterialRequest.Place.choices)
    place_name = forms.CharField(label=_("Place"), max_length=150)
    region_id = forms.CharField(label=_("Region code of the place"), max_length=12)
    item_1 = forms.ChoiceField(label=_("Item"), choices=ITEMS)
    quantity_1 = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000_000)
    item_2 = forms.ChoiceField(label=_("Item"), choices=[("", "—"), *ITEMS], required=False)
    quantity_2 = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=10_000_000, required=False
    )
    item_3 = forms.ChoiceField(label=_("Item"), choices=[("", "—"), *ITEMS], required=False)
    quantity_3 = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=10_000_000, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not self.is_bound and user.scope_region is not None:
            self.initial.setdefault("region_id", user.scope_region.code)
        self.line_fields: list[int] = []

    def service_values(self) -> dict:
        data = self.cleaned_data
        lines, self.line_fields = [], []
        for n in (1, 2, 3):
            if data.get(f"item_{n}") and data.get(f"quantity_{n}"):
                lines.append({"item": data[f"item_{n}"], "quantity": data[f"quantity_{n}"]})
                self.line_fields.append(n)
        return {
            "place_kind": data["place_kind"],
            "place_name": data["place_name"],
            "region_code": data["region_id"],
            "lines": lines,
            "note": data["note"],
        }

    def field_errors(self, refused: ValidationError) -> ValidationError:
        """The service's `lines[i].item` back on the page's item_n fields."""
        if not hasattr(refused, "error_dict"):
            return refused
        mapped = {}
        for key, texts in refused.message_dict.items():
            if key == "region_code":
                key = "region_id"
            elif key.startswith("lines[") and "]." in key:
                index, field = key[6:].split("].", 1)
                if index.isdigit() and int(index) < len(self.line_fields):
                    key = f"{field}_{self.line_fields[int(index)]}"
            mapped[key] = texts
        return ValidationError(mapped)
