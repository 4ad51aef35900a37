"""Tourist sites and their slots, and the review that follows the risk areas: a site whose
area's level (or a high-risk area within the policy's distance) closes it has its future
bookings cancelled, each with a notice the resident reads on their booking page, and is
marked closed with the reason; a site whose area is lowered again reopens. The review is a
`core.periodic` round (tasks.py) and runs at once whenever an office asks for it."""

from collections import Counter
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.models import Region

from ..models import Booking, Slot, TouristSite
from ..queries import SiteConditions

MAX_SLOTS = 500


def create_site(
    actor,
    *,
    name: str,
    region_code: str,
    latitude: float,
    longitude: float,
    max_capacity: int,
) -> TouristSite:
    require(actor, Capability.MANAGE_TOURIST_SITES, region=region_code)
    errors = {}
    if not (name or "").strip() or len(name) > 150:
        errors["name"] = _("a name of 1 to 150 characters")
    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = _("no region with this code")
    if not (-90 <= latitude <= 90):
        errors["latitude"] = _("between -90 and 90")
    if not (-180 <= longitude <= 180):
        errors["longitude"] = _("between -180 and 180")
    if max_capacity is None or not (1 <= max_capacity <= 1_000_000):
        errors["max_capacity"] = _("between 1 and 1,000,000")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        site = TouristSite.objects.create(
            name=name.strip(),
            region_id=region_code,
            latitude=latitude,
            longitude=longitude,
            max_capacity=max_capacity,
        )
        audit.record(actor, "tourist_site.create", site, reason=site.name)
    return site


def add_slots(
    actor,
    site: TouristSite,
    *,
    first_start: datetime,
    minutes: int,
    count: int,
    now: datetime | None = None,
) -> list[Slot]:
    """`count` consecutive slots of `minutes` from `first_start`; starts already taken are
    skipped."""
    now = now or timezone.now()
    require(actor, Capability.MANAGE_TOURIST_SITES, region=site.region_id)
    errors = {}
    if first_start <= now:
        errors["first_start"] = _("is in the past")
    if not (15 <= minutes <= 24 * 60):
        errors["minutes"] = _("between 15 and 1440")
    if not (1 <= count <= MAX_SLOTS):
        errors["count"] = _("between 1 and %(n)d") % {"n": MAX_SLOTS}
    if errors:
        raise ValidationError(errors)
    length = timedelta(minutes=minutes)
    starts = [first_start + i * length for i in range(count)]
    with transaction.atomic():
        taken = set(site.slots.filter(starts_at__in=starts).values_list("starts_at", flat=True))
        slots = Slot.objects.bulk_create(
            Slot(site=site, starts_at=s, ends_at=s + length) for s in starts if s not in taken
        )
        audit.record(actor, "tourist_site.slots", site, reason=str(len(slots)))
    return slots


def review_sites(*, now: datetime | None = None) -> dict[str, int]:
    """Close the sites the risk in force closes (cancelling their future bookings) and reopen
    those it no longer does. The platform's own round; returns what it changed."""
    require(None, Capability.MANAGE_TOURIST_SITES, platform=True)
    now = now or timezone.now()
    conditions = SiteConditions()
    closed = reopened = cancelled = 0
    for site in TouristSite.objects.all().iterator():
        condition = conditions.of(site)
        if condition.closed:
            # Also on a site already closed: a booking that raced the closing is cancelled.
            closed += site.closed_at is None
            cancelled += close_site(site, condition.closed_reason, now=now)
        elif not condition.closed and site.closed_at is not None:
            with transaction.atomic():
                TouristSite.objects.filter(pk=site.pk).update(closed_at=None, closed_reason="")
                audit.record(None, "tourist_site.reopen", site, reason=site.name)
            reopened += 1
    return {"closed": closed, "reopened": reopened, "cancelled": cancelled}


def close_site(site: TouristSite, reason: str, *, now: datetime) -> int:
    """Mark the site closed and cancel every booking of a slot not yet begun, with the
    notice the resident reads; returns how many were cancelled."""
    notice = _("Cancelled: %(s)s is closed (%(r)s).") % {"s": site.name, "r": reason}
    with transaction.atomic():
        newly = TouristSite.objects.filter(pk=site.pk, closed_at__isnull=True).update(
            closed_at=now, closed_reason=reason[:300]
        )
        future = Booking.objects.filter(
            site=site, state=Booking.State.BOOKED, slot__starts_at__gt=now
        )
        cancelled = list(future.select_for_update().only("pk", "slot_id", "region_id"))
        per_slot = Counter(b.slot_id for b in cancelled)
        Booking.objects.filter(pk__in=[b.pk for b in cancelled]).update(
            state=Booking.State.CANCELLED, notice=notice[:300]
        )
        for slot_id, n in per_slot.items():
            Slot.objects.filter(pk=slot_id).update(booked=F("booked") - n)
        if newly:
            audit.record(None, "tourist_site.close", site, reason=reason)
        if cancelled:
            audit.record_many(None, "booking.cancel", cancelled, reason=reason)
    return len(cancelled)
