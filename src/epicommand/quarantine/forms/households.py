"""Forms of the household pages. They check shape and what the user may choose from; the
rules belong to quarantine.services.households, whose errors (named as the API names its
fields) `apply_errors` puts back on these fields of the same names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import scope_q
from epicommand.core.models import Role, User
from epicommand.people.models import Household

from ..models import HouseholdControl, SupplyRequest, VolunteerTeam
from ..services import households as services

REGION_WIDGET = forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"})


class WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name() or user.get_username()
        return f"{name} · {user.scope_region.name}" if user.scope_region_id else name


class TeamChoice(forms.ModelChoiceField):
    def label_from_instance(self, team):
        return f"{team.name} · {team.region.name}"


def workers_in_scope(user):
    """Community workers inside the user's jurisdiction; the service checks that the one
    chosen covers the household."""
    return (
        User.objects.filter(
            scope_q(user, "scope_region_id"), role=Role.COMMUNITY_WORKER, is_active=True
        )
        .select_related("scope_region")
        .order_by("username")
    )


def teams_in_scope(user):
    return VolunteerTeam.objects.visible_to(user).select_related("region").order_by("name", "pk")


def _worker_field():
    return WorkerChoice(label=_("community worker"), queryset=User.objects.none(), required=False)


def _team_field(required=False):
    return TeamChoice(
        label=_("volunteer team"), queryset=VolunteerTeam.objects.none(), required=required
    )


class HouseholdFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all")), *HouseholdControl.Kind.choices]
    )
    region = forms.RegexField(
        label=_("region code"),
        regex=r"^[0-9]{2,12}$",
        required=False,
        widget=REGION_WIDGET,
        error_messages={"invalid": _("Enter a region code (digits).")},
    )
    mine = forms.BooleanField(label=_("assigned to me"), required=False)
    delayed = forms.BooleanField(label=_("with a delayed request"), required=False)
    ended = forms.BooleanField(label=_("released"), required=False)

    def filters(self, user) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {
            "kind": data.get("kind", ""),
            "region": data.get("region", ""),
            "worker": user if data.get("mine") else None,
            "delayed_only": data.get("delayed", False),
            "ended": data.get("ended", False),
        }


class HomeQuarantineForm(forms.Form):
    household = forms.CharField(
        label=_("household number"),
        max_length=20,
        help_text=_("As registered with the household (hukou) number."),
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the household is kept at home, as the order says."),
    )
    ends_on = forms.DateField(
        label=_("until"),
        help_text=_("The last day at home."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    community_worker_id = _worker_field()
    team_id = _team_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community_worker_id"].queryset = workers_in_scope(user)
        self.fields["team_id"].queryset = teams_in_scope(user)

    def clean_household(self):
        code = self.cleaned_data["household"].strip()
        household = Household.objects.visible_to(self.user).filter(code=code).first()
        if household is None:
            raise forms.ValidationError(_("No household with this number in your jurisdiction."))
        return household


class LockdownForm(forms.Form):
    region_code = forms.RegexField(
        label=_("high-risk area (region code)"),
        regex=r"^[0-9]{6,12}$",
        widget=REGION_WIDGET,
        help_text=_("Every household registered in this region is kept at home."),
        error_messages={"invalid": _("Enter a region code (digits).")},
    )
    reason = forms.CharField(
        label=_("reason"), max_length=services.MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )
    ends_on = forms.DateField(
        label=_("until"),
        required=False,
        help_text=_("Leave empty to keep the area at home until the lockdown is lifted."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    community_worker_id = _worker_field()
    team_id = _team_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community_worker_id"].queryset = workers_in_scope(user)
        self.fields["team_id"].queryset = teams_in_scope(user)


class LiftForm(forms.Form):
    region_code = forms.RegexField(
        label=_("area (region code)"),
        regex=r"^[0-9]{6,12}$",
        widget=REGION_WIDGET,
        error_messages={"invalid": _("Enter a region code (digits).")},
    )
    reason = forms.CharField(label=_("reason"), max_length=services.MAX_REASON)


class AssignHouseholdForm(forms.Form):
    community_worker_id = _worker_field()
    team_id = _team_field()

    def __init__(self, *args, workers, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community_worker_id"].queryset = workers
        self.fields["team_id"].queryset = teams


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=services.MAX_REASON)


class SupplyRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("what is needed"), choices=SupplyRequest.Kind.choices)
    items = forms.CharField(
        label=_("items"),
        max_length=services.MAX_ITEMS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What and how much, e.g. rice 5 kg, insulin (brand and dose)."),
    )


class SupplyAssignForm(forms.Form):
    team_id = _team_field(required=True)
    volunteer = forms.CharField(label=_("volunteer"), max_length=services.MAX_VOLUNTEER)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_id"].queryset = teams


class SupplyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("open", _("open (not delivered)")),
            ("all", _("all")),
            *SupplyRequest.Status.choices,
        ],
    )
    overdue = forms.BooleanField(label=_("delayed only"), required=False)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all")), *SupplyRequest.Kind.choices]
    )
    region = forms.RegexField(
        label=_("region code"),
        regex=r"^[0-9]{2,12}$",
        required=False,
        widget=REGION_WIDGET,
        error_messages={"invalid": _("Enter a region code (digits).")},
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {
            "status": data.get("status") or "open",
            "overdue": data.get("overdue", False),
            "kind": data.get("kind", ""),
            "region": data.get("region", ""),
        }


class TeamForm(forms.Form):
    """Field names are those of services.households.create_team / update_team."""

    name = forms.CharField(label=_("name"), max_length=100)
    region_id = forms.CharField(
        label=_("region"),
        max_length=12,
        widget=REGION_WIDGET,
        help_text=_("Code of the township or community the team serves."),
    )
    leader = forms.CharField(label=_("team leader"), max_length=50)
    phone = forms.CharField(
        label=_("phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    members = forms.IntegerField(
        label=_("members"), min_value=1, max_value=services.MAX_TEAM_MEMBERS, initial=1
    )
