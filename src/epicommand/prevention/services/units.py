"""Units under routine prevention and their inspection schedule: a unit is registered over
a place of `places` (or its region alone: a village, a community) with its category and
responsible person; it is due at once, then every `interval_days(category, risk)` after
its last inspection, the risk being the level of the risk areas in force over its region
(control.levels). When an area's risk rises, `schedule_by_risk` brings the units inside it
forward; a fall takes effect at their next inspection."""

import re
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.levels import levels_in_force
from epicommand.core import audit, policy
from epicommand.core.access import Capability, region_q, require
from epicommand.core.models import Region
from epicommand.places.models import Venue

from ..models import PreventionUnit

PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}$")


def risk_level_of(region_code: str, levels=None) -> str:
    """ "low", "medium" or "high": the worst risk area in force over the region."""
    return (levels or levels_in_force()).level_of(region_code)


def next_due(category: str, region_code: str, inspected_at: datetime, levels=None) -> datetime:
    rules = policy.active().prevention
    days = rules.interval_days(category, risk_level_of(region_code, levels))
    return inspected_at + timedelta(days=days)


def register_unit(
    actor,
    *,
    name,
    category,
    region_code="",
    venue_id=None,
    responsible_name,
    responsible_phone,
    now: datetime | None = None,
) -> PreventionUnit:
    """Register a unit in the actor's jurisdiction: over a place (its region is the
    place's) or over a region. Due for its first inspection at once."""
    require(actor, Capability.MANAGE_PREVENTION)
    now = now or timezone.now()
    rules = policy.active().prevention
    errors: dict = {}
    name = (name or "").strip()
    responsible_name = (responsible_name or "").strip()
    responsible_phone = (responsible_phone or "").strip()
    if not name:
        errors["name"] = _("give the unit's name")
    if rules.category(category or "") is None:
        codes = ", ".join(c.code for c in rules.categories)
        errors["category"] = _("choose one of: %(codes)s") % {"codes": codes}
    venue = None
    if venue_id:
        venue = Venue.objects.visible_to(actor).filter(pk=venue_id).first()
        if venue is None:
            errors["venue_id"] = _("no such place in your jurisdiction")
        elif PreventionUnit.objects.filter(venue=venue).exists():
            errors["venue_id"] = _("this place is already a unit under prevention")
        else:
            region_code = venue.region_id
    elif not Region.objects.visible_to(actor).filter(code=region_code or "").exists():
        errors["region_code"] = _("no such region in your jurisdiction")
    if not responsible_name:
        errors["responsible_name"] = _("name the unit's responsible person")
    if not PHONE.match(responsible_phone):
        errors["responsible_phone"] = _("give a phone number of digits")
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.MANAGE_PREVENTION, region=region_code)
    with transaction.atomic():
        unit = PreventionUnit.objects.create(
            name=name[:150],
            category=category,
            region_id=region_code,
            venue=venue,
            responsible_name=responsible_name[:60],
            responsible_phone=responsible_phone[:20],
            next_due_at=now,
            registered_at=now,
        )
        audit.record(actor, "prevention.unit.register", unit, reason=category)
    return unit


def schedule_by_risk(now: datetime | None = None) -> int:
    """Bring forward the inspections of units inside risk areas in force: each unit's next
    inspection is no later than its last one plus its category's interval at the area's
    level. A few UPDATEs per area and category (areas are few), none per unit. Returns
    how many units moved."""
    now = now or timezone.now()
    rules = policy.active().prevention
    moved = 0
    levels = levels_in_force()
    for key in sorted(levels.levels):
        code = key + "00" if len(key) == 4 else key
        level = levels.level_of(code)
        for category in rules.categories:
            days = rules.interval_days(category.code, level)
            latest = ExpressionWrapper(
                F("last_inspected_at") + Value(timedelta(days=days)),
                output_field=DateTimeField(),
            )
            moved += (
                PreventionUnit.objects.filter(
                    region_q(code, "region_id"),
                    category=category.code,
                    last_inspected_at__isnull=False,
                    next_due_at__gt=now,
                )
                .filter(next_due_at__gt=latest)
                .update(next_due_at=latest)
            )
    return moved
