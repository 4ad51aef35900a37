"""Forms of the site, room board and stay pages. They check shape (types, lengths); the
rules (jurisdiction, occupied rooms, release conditions) belong to the services, whose
ValidationError dicts core.pages.forms.apply_errors puts back on the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import scope_or_above_q, scope_q
from epicommand.core.models import Role, Unit, User

from ..models import Room, Site, Stay
from ..queries.sites import STATUS_FILTERS
from ..services.sites import MAX_BEDS, MAX_FLOOR, MAX_ROOMS_PER_ACTION

ID_NUMBER = r"^[0-9]{17}[0-9Xx]$"
MANAGER_CHOICES = 500


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def units_for(user):
    """Units that may run a site of the user's: inside their jurisdiction, and the city's
    and county's own above it."""
    return (
        Unit.objects.filter(scope_or_above_q(user, "region_id"))
        .select_related("region")
        .order_by("region_id", "kind", "id")
    )


def managers_for(user):
    """Site staff and command offices whose jurisdiction lies inside the user's."""
    roles = (Role.QUARANTINE_STAFF, Role.COUNTY_OFFICE, Role.CITY_OFFICE)
    return User.objects.filter(
        scope_q(user, "scope_region_id"), is_active=True, role__in=roles
    ).order_by("username")


class SiteForm(forms.Form):
    """Field names are those of services.sites.create_site."""

    name = forms.CharField(label=_("name"), max_length=150)
    kind = forms.ChoiceField(label=_("type"), choices=Site.Kind.choices)
    region_id = forms.CharField(
        label=_("region"),
        max_length=12,
        help_text=_("Code of the county, township or village it stands in."),
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )
    address = forms.CharField(label=_("address"), max_length=200)
    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    unit_id = forms.TypedChoiceField(label=_("responsible unit"), coerce=int)
    manager_id = forms.TypedChoiceField(
        label=_("site manager"), coerce=int, required=False, empty_value=None
    )
    manager_phone = forms.CharField(label=_("manager's phone"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [
            (u.pk, f"{u.name} ({u.region.name})") for u in units_for(user)[:MANAGER_CHOICES]
        ]
        self.fields["manager_id"].choices = [("", _("none yet"))] + [
            (m.pk, f"{m.get_full_name() or m.username} ({m.get_role_display()})")
            for m in managers_for(user)[:MANAGER_CHOICES]
        ]

    def clean_region_id(self):
        return self.cleaned_data["region_id"].strip()

    @classmethod
    def initial_for(cls, site: Site) -> dict:
        names = ("name", "kind", "region_id", "address", "latitude", "longitude", "unit_id")
        found = {name: getattr(site, name) for name in names}
        found |= {
            "manager_id": site.manager_id,
            "manager_phone": site.manager_phone,
            "is_active": site.is_active,
        }
        return found


class RoomsForm(forms.Form):
    """Field names are those of services.sites.add_rooms."""

    building = forms.CharField(
        label=_("building"),
        max_length=20,
        required=False,
        help_text=_("A block or building name; leave empty for a hotel with one building."),
    )
    floor_from = forms.IntegerField(label=_("from floor"), min_value=-5, max_value=MAX_FLOOR)
    floor_to = forms.IntegerField(label=_("to floor"), min_value=-5, max_value=MAX_FLOOR)
    rooms_per_floor = forms.IntegerField(
        label=_("rooms per floor"), min_value=1, max_value=MAX_ROOMS_PER_ACTION
    )
    kind = forms.ChoiceField(label=_("type"), choices=Room.Kind.choices)
    beds = forms.IntegerField(label=_("beds a room"), min_value=1, max_value=MAX_BEDS, initial=1)


class AssignForm(forms.Form):
    """Assign a person to a room from the board: identified by ID number."""

    id_number = forms.RegexField(
        label=_("national ID number"),
        regex=ID_NUMBER,
        max_length=18,
        error_messages={"invalid": _("must be 17 digits followed by a digit or X")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    reason = forms.ChoiceField(label=_("reason"), choices=Stay.Reason.choices)
    pickup_address = forms.CharField(label=_("pickup address"), max_length=200, required=False)
    vehicle = forms.CharField(label=_("vehicle"), max_length=30, required=False)
    pickup_at = forms.DateTimeField(
        label=_("pickup time"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Empty: now. The stay and its plan start at the pickup."),
    )

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class StayForm(AssignForm):
    """Assign from the stays page: the site's first free room, or at home."""

    site = forms.TypedChoiceField(
        label=_("site"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Empty only for a stay at home (a plan without site days)."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("at home"))] + [(s.pk, s.name) for s in sites]


class RoomStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[(s, label) for s, label in Room.Status.choices if s != Room.Status.OCCUPIED],
    )
    reason = forms.CharField(label=_("note"), max_length=500, required=False)


class HospitalForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)


class StayFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("active", _("active")),
            ("centralized", _("in transfer or in a site")),
            *Stay.Status.choices,
            ("all", _("all")),
        ],
    )
    site = forms.TypedChoiceField(label=_("site"), required=False, coerce=int, empty_value=None)
    reason = forms.ChoiceField(
        label=_("reason"), required=False, choices=[("", _("all")), *Stay.Reason.choices]
    )
    region = forms.RegexField(
        label=_("region code"), regex=r"^[0-9]{2,12}$", max_length=12, required=False
    )
    id_number = forms.RegexField(
        label=_("national ID number"), regex=ID_NUMBER, max_length=18, required=False
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("all sites"))] + [(s.pk, s.name) for s in sites]

    def clean_status(self):
        status = self.cleaned_data["status"] or "active"
        if status not in STATUS_FILTERS:
            raise ValidationError(_("unknown status"))
        return status


class BoardFilterForm(forms.Form):
    building = forms.ChoiceField(label=_("building"), required=False)
    floor = forms.TypedChoiceField(label=_("floor"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, floors, **kwargs):
        super().__init__(*args, **kwargs)
        buildings = sorted({f.building for f in floors})
        self.fields["building"].choices = [("", _("all buildings"))] + [
            (b, b or _("(no name)")) for b in buildings
        ]
        self.fields["floor"].choices = [("", _("all floors"))] + [
            (n, str(n)) for n in sorted({f.floor for f in floors})
        ]
