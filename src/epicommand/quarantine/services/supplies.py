"""Supply requests of households kept at home (quarantine.services.households), delivered
by its volunteer teams.

Requested (by the community worker, or the resident on the public page) -> assigned to a
volunteer team and a volunteer -> delivered -> receipt confirmed by the household; a
request is due within the edition's delivery hours for its kind and is delayed while it
is open past that time. The supply_open counter holds the requests not yet delivered.

Every function checks who may act, validates (ValidationError naming the field as the API
names it), writes and audits in one transaction. Each takes `now` so that tests can make
time pass."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, require, require_resident_of
from epicommand.people.models import Household, Person

from ..models import OPEN_REQUEST_STATUSES, SupplyRequest, VolunteerTeam
from .households import (
    MAX_ITEMS,
    MAX_REASON,
    MAX_VOLUNTEER,
    SUPPLY_METRIC,
    _raise,
    _team,
    _text,
    active_control,
)

S = SupplyRequest.Status


# Supply requests ----------------------------------------------------------------------------


def delivery_hours(kind: str, edition=None) -> int:
    """Hours the team has to deliver a request of this kind (policy): medicine is urgent."""
    edition = edition or policy.active()
    if kind == SupplyRequest.Kind.MEDICINE:
        return edition.medicine_delivery_hours
    return edition.necessities_delivery_hours


def is_delayed(supply: SupplyRequest, now: datetime | None = None) -> bool:
    """Open (not delivered) past the time it was due."""
    return supply.status in OPEN_REQUEST_STATUSES and (now or timezone.now()) > supply.due_at


def _resident_name(resident: Person) -> str:
    return f"resident (person {resident.pk})"


def request_supplies(
    actor,
    household: Household,
    *,
    kind,
    items,
    resident: Person | None = None,
    now: datetime | None = None,
) -> SupplyRequest:
    """A household kept at home asks for daily necessities or medicine: through its
    community worker (`actor`), or the identified resident on the public page (`actor`
    None, `resident` a member of the household)."""
    if resident is None:
        require(actor, Capability.HOME_CONTROL, region=household.region_id)
    else:
        require_resident_of(actor, resident.household_id, household.pk)
    now = now or timezone.now()
    errors: dict = {}
    if kind not in SupplyRequest.Kind.values:
        errors["kind"] = _("must be one of: %(kinds)s") % {
            "kinds": ", ".join(SupplyRequest.Kind.values)
        }
    items = _text(items, "items", errors, limit=MAX_ITEMS)
    _raise(errors)
    with transaction.atomic():
        control = active_control(household)
        if control is None:
            raise ValidationError(
                {
                    "household_id": _(
                        "the household is not kept at home: supplies are delivered only "
                        "to households under home quarantine or in a lockdown area"
                    )
                }
            )
        supply = SupplyRequest.objects.create(
            control=control,
            region_id=control.region_id,
            kind=kind,
            items=items,
            requested_at=now,
            due_at=now + timedelta(hours=delivery_hours(kind)),
        )
        counters.bump(SUPPLY_METRIC, supply.region_id, 1, day=timezone.localdate(now))
        audit.record(
            actor,
            "supply.request",
            supply,
            reason=_resident_name(resident) if resident is not None else supply.kind,
        )
    return supply


def _locked(supply: SupplyRequest) -> SupplyRequest:
    """The request's current row, locked until the transaction ends, so that two clicks
    (a volunteer's and the household's) cannot both act on the same state."""
    return SupplyRequest.objects.select_for_update().get(pk=supply.pk)


def _refuse_closed(supply: SupplyRequest) -> None:
    if supply.status == S.CANCELLED:
        raise ValidationError({"status": _("the request was cancelled")})
    if supply.status == S.CONFIRMED:
        raise ValidationError(
            {
                "status": _("receipt was already confirmed at %(at)s")
                % {"at": timezone.localtime(supply.confirmed_at).strftime("%Y-%m-%d %H:%M")}
            }
        )


def assign_request(
    actor,
    supply: SupplyRequest,
    *,
    team: VolunteerTeam | None,
    volunteer,
    now: datetime | None = None,
) -> SupplyRequest:
    """Give the request to a volunteer of a team serving the household (again, to hand it
    to someone else while it is not delivered)."""
    require(actor, Capability.HOME_CONTROL, region=supply.region_id)
    now = now or timezone.now()
    errors: dict = {}
    if team is None:
        errors["team_id"] = _("is required")
    else:
        team = _team(actor, team, supply.region_id, errors)
    volunteer = _text(volunteer, "volunteer", errors, limit=MAX_VOLUNTEER)
    _raise(errors)
    with transaction.atomic():
        supply = _locked(supply)
        _refuse_closed(supply)
        if supply.status == S.DELIVERED:
            raise ValidationError({"status": _("the request was already delivered")})
        supply.status = S.ASSIGNED
        supply.team = team
        supply.volunteer = volunteer
        supply.assigned_at = now
        supply.save(update_fields=["status", "team", "volunteer", "assigned_at"])
        audit.record(actor, "supply.assign", supply, reason=f"{team.name}: {volunteer}")
    return supply


def mark_delivered(actor, supply: SupplyRequest, *, now: datetime | None = None) -> SupplyRequest:
    require(actor, Capability.HOME_CONTROL, region=supply.region_id)
    now = now or timezone.now()
    with transaction.atomic():
        supply = _locked(supply)
        _refuse_closed(supply)
        if supply.status == S.REQUESTED:
            raise ValidationError(
                {
                    "status": _(
                        "the request was never assigned to a volunteer: assign it before "
                        "marking it delivered"
                    )
                }
            )
        if supply.status == S.DELIVERED:
            raise ValidationError({"status": _("the request was already delivered")})
        supply.status = S.DELIVERED
        supply.delivered_at = now
        supply.save(update_fields=["status", "delivered_at"])
        counters.bump(SUPPLY_METRIC, supply.region_id, -1, day=timezone.localdate(now))
        late = _(" (late)") if now > supply.due_at else ""
        audit.record(actor, "supply.deliver", supply, reason=f"{supply.volunteer}{late}")
    return supply


def confirm_receipt(
    actor,
    supply: SupplyRequest,
    *,
    resident: Person | None = None,
    now: datetime | None = None,
) -> SupplyRequest:
    """The household says it received the delivery: itself on the public page
    (`resident`), or through its community worker. A request assigned but not yet marked
    delivered is delivered by the confirmation; one never assigned is refused."""
    control = supply.control
    if resident is None:
        require(actor, Capability.HOME_CONTROL, region=supply.region_id)
    else:
        require_resident_of(actor, resident.household_id, control.household_id)
    now = now or timezone.now()
    with transaction.atomic():
        supply = _locked(supply)
        _refuse_closed(supply)
        if supply.status == S.REQUESTED:
            raise ValidationError(
                {
                    "status": _(
                        "a delivery cannot be confirmed for a request never assigned to a volunteer"
                    )
                }
            )
        fields = ["status", "confirmed_at"]
        if supply.status == S.ASSIGNED:
            supply.delivered_at = now
            fields.append("delivered_at")
            counters.bump(SUPPLY_METRIC, supply.region_id, -1, day=timezone.localdate(now))
        supply.status = S.CONFIRMED
        supply.confirmed_at = now
        supply.save(update_fields=fields)
        who = _resident_name(resident) if resident is not None else "community worker"
        audit.record(actor, "supply.confirm", supply, reason=f"by the {who}")
    return supply


def cancel_request(
    actor, supply: SupplyRequest, *, reason, now: datetime | None = None
) -> SupplyRequest:
    require(actor, Capability.HOME_CONTROL, region=supply.region_id)
    now = now or timezone.now()
    errors: dict = {}
    reason = _text(reason, "reason", errors, limit=MAX_REASON)
    _raise(errors)
    with transaction.atomic():
        supply = _locked(supply)
        _refuse_closed(supply)
        if supply.status == S.DELIVERED:
            raise ValidationError({"status": _("the request was already delivered")})
        supply.status = S.CANCELLED
        supply.save(update_fields=["status"])
        counters.bump(SUPPLY_METRIC, supply.region_id, -1, day=timezone.localdate(now))
        audit.record(actor, "supply.cancel", supply, reason=reason)
    return supply
