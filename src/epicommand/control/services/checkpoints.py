"""Checkpoints: setting them up, vehicle permits and lockdowns; and, re-exported here so
callers have one door, the verdict (services.verdicts) and recording passages: one
passer or a vehicle (services.passages), a device's batch (services.passage_batch).

    from epicommand.control.services import checkpoints
    result = checkpoints.record_passage(officer, checkpoint, id_number="1301...",
                                        temperature="37.8", direction="in")
    result.verdict, result.reasons   # "deny", ("fever 37.8 °C",)

Every change here needs MANAGE_CHECKPOINTS inside the caller's jurisdiction and is
audited; permits and lockdowns need a person's account (a device token cannot issue
them)."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, edits, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import ApiToken, Region, Unit
from epicommand.core.policy import fever_threshold
from epicommand.places.models import Venue

from ..levels import ancestor_codes
from ..models import Checkpoint, Lockdown, VehiclePermit
from .passage_batch import MAX_BATCH, record_passages
from .passage_checks import MAX_VEHICLE_PEOPLE, PasserIn
from .passages import PassageResult, PasserResult, record_passage, record_vehicle
from .verdicts import (
    Judgement,
    judge,
    normalize_plate,
    permit_problems,
    worst,
)

__all__ = [
    "MAX_BATCH",
    "MAX_VEHICLE_PEOPLE",
    "Judgement",
    "PassageResult",
    "PasserIn",
    "PasserResult",
    "ancestor_codes",
    "create_checkpoint",
    "declare_lockdown",
    "fever_threshold",
    "issue_permit",
    "judge",
    "lift_lockdown",
    "lockdowns_over",
    "normalize_plate",
    "permit_problems",
    "record_passage",
    "record_passages",
    "record_vehicle",
    "revoke_permit",
    "update_checkpoint",
    "worst",
]

C = Capability
# Permit numbers read aloud at a checkpoint: no 0/O or 1/I to confuse.
PERMIT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# A permit is an office's decision for a task, renewed as the task goes on; these bound
# typing mistakes (a year 2921), not any epidemiological rule.
MAX_BACKDATING = timedelta(days=30)
MAX_VALIDITY = timedelta(days=366)


def _region_of(actor) -> str | None:
    return actor.region_id if isinstance(actor, ApiToken) else actor.scope_region_id


# Checkpoints -------------------------------------------------------------------------------

CHECKPOINT_FIELDS = ("name", "kind", "region_id", "venue_id", "road", "latitude", "longitude")


def _checkpoint_errors(actor, data: dict, unit_ids) -> dict[str, str]:
    errors = {}
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        errors["name"] = _("is required")
    elif len(data["name"]) > 150:
        errors["name"] = _("is longer than %(n)d characters") % {"n": 150}
    if data.get("kind") not in Checkpoint.Kind.values:
        errors["kind"] = _("must be one of: %(k)s") % {"k": ", ".join(Checkpoint.Kind.values)}
    data["road"] = (data.get("road") or "").strip()
    if len(data["road"]) > 100:
        errors["road"] = _("is longer than %(n)d characters") % {"n": 100}
    code = (data.get("region_id") or "").strip()
    data["region_id"] = code
    if not Region.objects.filter(code=code).exists():
        errors["region_id"] = _("unknown region code %(c)s") % {"c": code}
    elif not covers(actor, code):
        errors["region_id"] = _("is outside your jurisdiction")
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = data.get(name)
        if value is None or not isinstance(value, int | float) or not -bound <= value <= bound:
            errors[name] = _("must be between %(a)d and %(b)d") % {"a": -bound, "b": bound}
    venue_id = data.get("venue_id")
    if venue_id:
        venue = Venue.objects.filter(pk=venue_id).only("region_id").first()
        if venue is None:
            errors["venue_id"] = _("unknown venue %(v)s") % {"v": venue_id}
        elif "region_id" not in errors and not venue.region_id.startswith(code):
            errors["venue_id"] = _("the venue lies outside the checkpoint's region")
    elif data.get("kind") == Checkpoint.Kind.VENUE_ENTRANCE:
        errors["venue_id"] = _("a venue entrance needs the venue it guards")
    if unit_ids is not None:
        found = dict(Unit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "region_id"))
        missing = [str(u) for u in unit_ids if u not in found]
        outside = [str(u) for u, region in found.items() if not covers(actor, region)]
        if missing:
            errors["unit_ids"] = _("unknown unit: %(u)s") % {"u": ", ".join(missing)}
        elif outside:
            errors["unit_ids"] = _("unit outside your jurisdiction: %(u)s") % {
                "u": ", ".join(outside)
            }
    return errors


@transaction.atomic
def create_checkpoint(
    actor,
    *,
    name: str,
    kind: str,
    region_id: str,
    latitude: float,
    longitude: float,
    venue_id: int | None = None,
    road: str = "",
    unit_ids: Iterable[int] = (),
    is_active: bool = True,
) -> Checkpoint:
    """A command office sets up a checkpoint inside its jurisdiction."""
    require(actor, C.MANAGE_CHECKPOINTS)
    data = dict(
        name=name,
        kind=kind,
        region_id=region_id,
        venue_id=venue_id,
        road=road,
        latitude=latitude,
        longitude=longitude,
    )
    unit_ids = list(unit_ids)
    errors = _checkpoint_errors(actor, data, unit_ids)
    if errors:
        raise ValidationError(errors)
    checkpoint = Checkpoint.objects.create(**data, is_active=bool(is_active))
    checkpoint.units.set(unit_ids)
    audit.record(actor, "checkpoint.create", checkpoint)
    return checkpoint


@transaction.atomic
def update_checkpoint(actor, checkpoint: Checkpoint, *, reason: str = "", **changes) -> Checkpoint:
    """Change a checkpoint (any of CHECKPOINT_FIELDS, `unit_ids`, `is_active`); the audit
    line names what changed."""
    require(actor, C.MANAGE_CHECKPOINTS, region=checkpoint.region_id)
    data = edits.proposed(checkpoint, changes, CHECKPOINT_FIELDS, also=("unit_ids",))
    unit_ids = list(changes["unit_ids"]) if "unit_ids" in changes else None
    errors = _checkpoint_errors(actor, data, unit_ids)
    if errors:
        raise ValidationError(errors)
    changed = edits.apply(checkpoint, data, changes, CHECKPOINT_FIELDS)
    if unit_ids is not None and set(unit_ids) != set(checkpoint.units.values_list("pk", flat=True)):
        checkpoint.units.set(unit_ids)
        changed.append("units")
    edits.audit_changes(actor, "checkpoint.update", checkpoint, changed, reason)
    return checkpoint


# Vehicle permits ----------------------------------------------------------------------------


def _issuing_region(actor, region_id: str | None) -> Region:
    code = (region_id or _region_of(actor) or "").strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region_id": _("unknown region code %(c)s") % {"c": code}})
    if not covers(actor, code):
        raise ValidationError({"region_id": _("is outside your jurisdiction")})
    if region.level not in (Region.Level.CITY, Region.Level.COUNTY):
        raise ValidationError({"region_id": _("permits are issued by a city or county")})
    return region


@transaction.atomic
def issue_permit(
    actor,
    *,
    plate: str,
    holder: str,
    purpose: str,
    valid_from: datetime,
    valid_until: datetime,
    region_id: str | None = None,
) -> VehiclePermit:
    """A command office lets one vehicle through its lockdown for a purpose and a time.
    It carries at most the edition's number of people; the number is generated."""
    require(actor, C.MANAGE_CHECKPOINTS, person=True)
    errors = {}
    plate = normalize_plate(plate)
    if not 2 <= len(plate) <= 16:
        errors["plate"] = _("must be 2 to 16 characters")
    holder, purpose = (holder or "").strip(), (purpose or "").strip()
    if not holder:
        errors["holder"] = _("is required")
    elif len(holder) > 100:
        errors["holder"] = _("is longer than %(n)d characters") % {"n": 100}
    if not purpose:
        errors["purpose"] = _("is required")
    elif len(purpose) > 200:
        errors["purpose"] = _("is longer than %(n)d characters") % {"n": 200}
    if valid_from is None:
        errors["valid_from"] = _("is required")
    if valid_until is None:
        errors["valid_until"] = _("is required")
    if valid_from and valid_until:
        valid_from, valid_until = _aware(valid_from), _aware(valid_until)
        now = timezone.now()
        if valid_from < now - MAX_BACKDATING:
            errors["valid_from"] = _("is more than %(n)d days ago") % {"n": MAX_BACKDATING.days}
        elif valid_until <= valid_from:
            errors["valid_until"] = _("must be after the start")
        elif valid_until <= now:
            errors["valid_until"] = _("is in the past")
        elif valid_until > valid_from + MAX_VALIDITY:
            errors["valid_until"] = _("is more than %(n)d days after the start") % {
                "n": MAX_VALIDITY.days
            }
    try:
        region = _issuing_region(actor, region_id)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):
        number = f"{region.code}-" + "".join(secrets.choice(PERMIT_ALPHABET) for _ in range(6))
        if not VehiclePermit.objects.filter(number=number).exists():
            break
    permit = VehiclePermit.objects.create(
        number=number,
        plate=plate,
        holder=holder,
        purpose=purpose,
        region=region,
        max_passengers=policy.active().permit_max_passengers,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_by=actor,
    )
    audit.record(actor, "permit.issue", permit, reason=f"{plate}: {purpose}")
    return permit


@transaction.atomic
def revoke_permit(actor, permit: VehiclePermit, *, reason: str = "", now=None) -> VehiclePermit:
    require(actor, C.MANAGE_CHECKPOINTS, region=permit.region_id, person=True)
    if permit.revoked_at is not None:
        raise ValidationError({"permit": _("is already revoked")})
    permit.revoked_at = now or timezone.now()
    permit.save(update_fields=["revoked_at"])
    audit.record(actor, "permit.revoke", permit, reason=reason)
    return permit


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# Lockdowns ---------------------------------------------------------------------------------


@transaction.atomic
def declare_lockdown(actor, *, region_id: str, reason: str, now=None) -> Lockdown:
    """Put a region in the caller's jurisdiction under closed management: from now on a
    vehicle at any checkpoint inside it needs a permit."""
    require(actor, C.MANAGE_CHECKPOINTS, person=True)
    errors = {}
    code = (region_id or "").strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        errors["region_id"] = _("unknown region code %(c)s") % {"c": code}
    elif not covers(actor, code):
        errors["region_id"] = _("is outside your jurisdiction")
    elif Lockdown.objects.filter(region=region, lifted_at__isnull=True).exists():
        errors["region_id"] = _("%(r)s is already under lockdown") % {"r": region}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("is required")
    elif len(reason) > 200:
        errors["reason"] = _("is longer than %(n)d characters") % {"n": 200}
    if errors:
        raise ValidationError(errors)
    lockdown = Lockdown.objects.create(
        region=region, reason=reason, declared_at=now or timezone.now(), declared_by=actor
    )
    audit.record(actor, "lockdown.declare", lockdown, reason=reason)
    return lockdown


@transaction.atomic
def lift_lockdown(actor, lockdown: Lockdown, *, reason: str = "", now=None) -> Lockdown:
    require(actor, C.MANAGE_CHECKPOINTS, region=lockdown.region_id, person=True)
    if lockdown.lifted_at is not None:
        raise ValidationError({"lockdown": _("is already lifted")})
    lockdown.lifted_at = now or timezone.now()
    lockdown.save(update_fields=["lifted_at"])
    audit.record(actor, "lockdown.lift", lockdown, reason=reason)
    return lockdown


def lockdowns_over(region_code: str, at: datetime | None = None) -> list[Lockdown]:
    """The lockdowns in force over a region (on it or any region above it)."""
    at = at or timezone.now()
    return list(
        Lockdown.objects.filter(region_id__in=ancestor_codes(region_code), declared_at__lte=at)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at))
        .select_related("region")
        .order_by("declared_at")
    )
