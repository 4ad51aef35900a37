"""Booking a slot: a resident for themselves (public page, identified by
control.identity), or an employer for a member of its roster. A slot's count only grows by
a conditional UPDATE (booked < capacity) in the booking's transaction, so two bookings at
the same moment never overfill it, on SQLite or PostgreSQL."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.people.models import Person

from ..models import Booking, Series, Slot
from . import eligibility


def book_for_resident(person: Person, slot: Slot, *, group: str = "", now=None) -> Booking:
    """The resident `person` books a slot for themselves (the platform acts on their word,
    after control.identity identified them)."""
    require(None, platform=True)
    entry = eligibility.roster_entry(person)
    unit = entry.unit if entry else None
    group = entry.group if entry else group
    return _book(None, slot, person, unit=unit, group=group, now=now)


def book_for_staff(actor, slot: Slot, person: Person, *, now=None) -> Booking:
    """An employer books a member of its roster (its unit is the account's unit)."""
    require(actor, Capability.KEEP_ROSTER)
    unit = getattr(actor, "unit", None)
    entry = eligibility.roster_entry(person, unit) if unit is not None else None
    if entry is None:
        raise ValidationError({"person": _("this person is not on your unit's roster")})
    return _book(actor, slot, person, unit=unit, group=entry.group, now=now)


def _book(actor, slot: Slot, person: Person, *, unit, group, now) -> Booking:
    now = now or timezone.now()
    rules = policy.active().vaccination
    errors = {}
    if group and group not in rules.group_codes:
        errors["group"] = _("not one of the key groups")
    if slot.starts_at + timedelta(minutes=rules.slot_minutes) <= now:
        errors["slot"] = _("this slot has passed")
    elif slot.starts_at > now + timedelta(days=rules.booking_days_ahead):
        errors["slot"] = _("slots open %(n)d days ahead") % {"n": rules.booking_days_ahead}
    elif not slot.site.active:
        errors["slot"] = _("this site is closed")
    problem = eligibility.age_problem(person, timezone.localdate(slot.starts_at))
    if problem:
        errors["person"] = problem
    elif Series.objects.filter(person=person, complete=True).exists():
        errors["person"] = _("this person's series is complete")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not taken:
            raise ValidationError({"slot": _("this slot is full: choose another")})
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    slot=slot,
                    person=person,
                    unit=unit,
                    group=group or "",
                    region_id=slot.site.region_id,
                    booked_at=now,
                )
        except IntegrityError:
            raise ValidationError(
                {"person": _("this person already has a booking: use or cancel it first")}
            ) from None
        audit.record(
            actor,
            "vaccination.booking",
            booking,
            reason=f"{slot.site.name} {timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}",
        )
    return booking


def cancel(actor, booking: Booking) -> Booking:
    """The employer or the site cancels a booking of its region; the place is freed."""
    require(actor, Capability.KEEP_ROSTER, Capability.VACCINATE, region=booking.region_id)
    with transaction.atomic():
        done = Booking.objects.filter(pk=booking.pk, state=Booking.State.BOOKED).update(
            state=Booking.State.CANCELLED
        )
        if not done:
            raise ValidationError({"booking": _("this booking is no longer open")})
        Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        audit.record(actor, "vaccination.booking.cancel", booking)
    booking.refresh_from_db()
    return booking
