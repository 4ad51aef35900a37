"""Vaccination sites, their daily slots and the stock of each lot they hold."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import Region

from ..models import Site, Slot, StockLot

LOT = 30


def create_site(actor, *, name, region_code, address, daily_capacity) -> Site:
    require(actor, Capability.MANAGE_VACCINATION)
    errors = {}
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        errors["name"] = _("give the site's name")
    if not address:
        errors["address"] = _("give the site's address")
    if not isinstance(daily_capacity, int) or not 1 <= daily_capacity <= 20_000:
        errors["daily_capacity"] = _("a site gives between 1 and 20,000 doses a day")
    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = _("no such region")
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.MANAGE_VACCINATION, region=region_code)
    with transaction.atomic():
        site = Site.objects.create(
            name=name[:100],
            region_id=region_code,
            address=address[:200],
            daily_capacity=daily_capacity,
        )
        audit.record(actor, "vaccination.site.create", site, reason=site.name)
    return site


def slot_times(day: date) -> list[datetime]:
    """The start of each slot of a day, in Beijing time, as the policy spaces them."""
    rules = policy.active().vaccination
    start = timezone.make_aware(datetime.combine(day, time(rules.first_slot_hour)))
    end = timezone.make_aware(datetime.combine(day, time(rules.last_slot_hour)))
    step = timedelta(minutes=rules.slot_minutes)
    times = []
    while start < end:
        times.append(start)
        start += step
    return times


def open_day(actor, site: Site, day: date) -> int:
    """Open a day's slots at a site: its daily capacity shared over the policy's slots
    (the first ones take the remainder). A day already open is left as it is."""
    require(actor, Capability.MANAGE_VACCINATION, Capability.VACCINATE, region=site.region_id)
    times = slot_times(day)
    share, extra = divmod(site.daily_capacity, len(times))
    slots = [
        Slot(site=site, starts_at=at, capacity=share + (1 if i < extra else 0))
        for i, at in enumerate(times)
    ]
    with transaction.atomic():
        made = Slot.objects.bulk_create([s for s in slots if s.capacity], ignore_conflicts=True)
        audit.record(actor, "vaccination.slots.open", site, reason=day.isoformat())
    return len(made)


def _lot_errors(product: str, lot: str) -> dict:
    errors = {}
    if policy.active().vaccination.product(product) is None:
        errors["product"] = _("no such vaccine product")
    if not lot or len(lot) > LOT:
        errors["lot"] = _("give the lot number (at most %(n)d characters)") % {"n": LOT}
    return errors


def receive_stock(actor, site: Site, *, product, lot, doses, expires_on=None) -> StockLot:
    """Doses of a lot arrive at the site."""
    require(actor, Capability.MANAGE_VACCINATION, Capability.VACCINATE, region=site.region_id)
    lot = (lot or "").strip().upper()
    errors = _lot_errors(product, lot)
    if not isinstance(doses, int) or not 1 <= doses <= 1_000_000:
        errors["doses"] = _("between 1 and 1,000,000 doses")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stock, _made = StockLot.objects.get_or_create(
            site=site, product=product, lot=lot, defaults={"expires_on": expires_on}
        )
        StockLot.objects.filter(pk=stock.pk).update(received=F("received") + doses)
        stock.refresh_from_db()
        audit.record(
            actor,
            "vaccination.stock.receive",
            stock,
            region_code=site.region_id,
            reason=f"{product} {lot} +{doses}",
        )
    return stock


def waste_stock(actor, site: Site, *, product, lot, doses, reason="") -> StockLot:
    """Doses of a lot spoiled (an opened vial not used in time, a broken cold chain):
    refused when more than the lot has on hand."""
    require(actor, Capability.MANAGE_VACCINATION, Capability.VACCINATE, region=site.region_id)
    lot = (lot or "").strip().upper()
    errors = _lot_errors(product, lot)
    if not isinstance(doses, int) or not 1 <= doses <= 1_000_000:
        errors["doses"] = _("between 1 and 1,000,000 doses")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Conditional: on hand never goes below zero, whatever else writes the lot.
        done = StockLot.objects.filter(
            site=site,
            product=product,
            lot=lot,
            received__gte=F("used") + F("wasted") + doses,
        ).update(wasted=F("wasted") + doses)
        if not done:
            raise ValidationError(
                {
                    "doses": _("lot %(lot)s has fewer than %(n)d doses on hand")
                    % {"lot": lot, "n": doses}
                }
            )
        stock = StockLot.objects.get(site=site, product=product, lot=lot)
        audit.record(
            actor,
            "vaccination.stock.waste",
            stock,
            region_code=site.region_id,
            reason=f"{product} {lot} -{doses} {reason}"[:500],
        )
    return stock


def use_one(site: Site, product: str, lot: str) -> bool:
    """Take one dose of the lot for a vaccination (the caller's transaction); False when
    the site has none of it on hand."""
    return bool(
        StockLot.objects.filter(
            site=site, product=product, lot=lot, received__gt=F("used") + F("wasted")
        ).update(used=F("used") + 1)
    )
