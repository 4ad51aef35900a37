"""Forms of the task pages. They check shape; the rules (who, which units, deadlines) are
the services', whose errors `apply_errors` puts back on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Priority, Task
from .queries import OPEN

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def deadline_field(**kwargs):
    return forms.DateTimeField(
        label=_("deadline"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Beijing time"),
        **kwargs,
    )


class UnitChoiceMixin:
    """Units by their own name, which says whose they are (藁城区疾病预防控制中心)."""

    def label_from_instance(self, unit):
        return unit.name


class UnitMultipleChoiceField(UnitChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class UnitChoiceField(UnitChoiceMixin, forms.ModelChoiceField):
    pass


class TaskIssueForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    text = forms.CharField(
        label=_("instructions"), max_length=10_000, required=False, widget=forms.Textarea
    )
    priority = forms.TypedChoiceField(
        label=_("priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    deadline = deadline_field()
    assignees = UnitMultipleChoiceField(
        label=_("assigned units"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One task is issued to each unit chosen."),
    )
    attachments = MultipleFileField(label=_("files for the assignees"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = units


class ShareForm(forms.Form):
    """One row of the decomposition; a row left blank is skipped."""

    assignee = UnitChoiceField(label=_("unit"), queryset=None, required=False)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    deadline = deadline_field(required=False)
    text = forms.CharField(
        label=_("instructions"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = units

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("assignee") or data.get("title") or data.get("text"))

    def clean(self):
        data = super().clean()
        if not self.is_blank():
            if not data.get("assignee"):
                self.add_error("assignee", _("choose the unit"))
            if not data.get("title"):
                self.add_error("title", _("is required"))
        return data


class BaseShareFormSet(forms.BaseFormSet):
    def __init__(self, *args, units, **kwargs):
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"units": self.units}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            units=self.units,
        )

    def filled(self) -> list[ShareForm]:
        return [form for form in self.forms if form.is_valid() and not form.is_blank()]


ShareFormSet = forms.formset_factory(ShareForm, formset=BaseShareFormSet, extra=4, max_num=50)


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("percent done"), min_value=0, max_value=100)
    text = forms.CharField(
        label=_("what was done"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompleteForm(forms.Form):
    text = forms.CharField(
        label=_("what was done"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(
        label=_("evidence"), help_text=_("Photos, lists, reports: files that show it was done.")
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=500)


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("all")), (OPEN, _("open")), *Task.Status.choices],
    )
    priority = forms.TypedChoiceField(
        label=_("priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("all")), *Priority.choices],
    )
    assignee = UnitChoiceField(
        label=_("assigned unit"), queryset=None, required=False, empty_label=_("all")
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    region = forms.RegexField(
        label=_("region code"),
        regex=r"^[0-9]{6,12}$",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    issued = forms.DateField(
        label=_("issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    done = forms.DateField(
        label=_("completed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = units

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "priority": data["priority"],
            "assignee_id": data["assignee"].pk if data["assignee"] else None,
            "overdue": data["overdue"],
            "region": data["region"],
            "issued": data["issued"],
            "done": data["done"],
        }
