"""Residents book a site's time slots; the gate admits and lets out.

No slot is overbooked however many phones book at once: the count of a slot's bookings is
raised by one conditional UPDATE (`... SET booked = booked + 1 WHERE booked < cap`) whose
row count says whether a place was left, the claim pattern of healthchecks' workers. It
holds on PostgreSQL (the row lock makes a second writer re-read the count) and on SQLite
(one writer at a time), and the booking row is written in the same transaction, so a
refused insert gives the place back.

The entry screen checks the booking, the health code and the temperature through control's
checkpoint verdict (`verdicts.judge`); the visitors inside are counted exactly by the same
kind of conditional UPDATE on the booking's state (booked -> entered -> left)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import Verdict
from epicommand.control.services import healthcode, verdicts
from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.people import lookup

from ..models import Booking, Passage, Slot, TouristSite
from ..queries import SiteConditions

B = Booking.State


def book(person, slot: Slot, *, now: datetime | None = None, conditions=None) -> Booking:
    """The resident `person` (identified on the public page) books `slot`."""
    now = now or timezone.now()
    site = slot.site
    if slot.starts_at <= now:
        raise ValidationError({"slot": _("this slot has already begun")})
    condition = (conditions or SiteConditions()).of(site)
    if condition.closed:
        raise ValidationError(
            {"site": _("%(s)s is closed: %(r)s") % {"s": site.name, "r": condition.closed_reason}}
        )
    limit = policy.active().gatherings.bookings_per_person
    held = Booking.objects.filter(person=person, state=B.BOOKED, slot__starts_at__gt=now)
    if held.count() >= limit:
        raise ValidationError({"slot": _("you hold %(n)d bookings already") % {"n": limit}})
    try:
        with transaction.atomic():
            claimed = Slot.objects.filter(pk=slot.pk, booked__lt=condition.cap).update(
                booked=F("booked") + 1
            )
            if not claimed:
                raise ValidationError({"slot": _("this slot is full")})
            booking = Booking.objects.create(
                slot=slot, site=site, person=person, region_id=person.region_id, booked_at=now
            )
            audit.record(None, "booking.create", booking, reason=site.name)
    except IntegrityError:
        raise ValidationError({"slot": _("you have already booked this slot")}) from None
    return booking


def cancel(person, booking: Booking, *, now: datetime | None = None) -> Booking:
    """The resident cancels their own booking of a slot not yet begun."""
    now = now or timezone.now()
    if booking.person_id != person.pk:
        raise ValidationError({"booking": _("not your booking")})
    with transaction.atomic():
        done = Booking.objects.filter(
            pk=booking.pk, state=B.BOOKED, slot__starts_at__gt=now
        ).update(state=B.CANCELLED, notice=_("Cancelled by you."))
        if not done:
            raise ValidationError({"booking": _("this booking can no longer be cancelled")})
        Slot.objects.filter(pk=booking.slot_id).update(booked=F("booked") - 1)
        audit.record(None, "booking.cancel", booking, reason=_("by the resident"))
    booking.refresh_from_db()
    return booking


def _visitor(actor, document: str):
    person = lookup.find_outside_jurisdiction(actor, document, purpose=lookup.Purpose.SITE_ENTRY)
    if person is None:
        raise ValidationError({"document": _("no person holds this number")})
    return person


def enter(
    actor,
    site: TouristSite,
    *,
    document: str,
    temperature: Decimal | None,
    now: datetime | None = None,
) -> tuple[Passage, object]:
    """The gate checks a visitor: a booking of this site for now, and the checkpoint
    verdict on their health code and temperature. Returns the passage (admitted or not)
    and the person."""
    now = now or timezone.now()
    require(actor, Capability.WORK_SITE_ENTRY, region=site.region_id, person=True)
    person = _visitor(actor, document)
    condition = SiteConditions().of(site)
    if condition.closed:
        raise ValidationError(
            {"site": _("the site is closed: %(r)s") % {"r": condition.closed_reason}}
        )
    early = timedelta(minutes=policy.active().gatherings.entry_early_minutes)
    booking = (
        Booking.objects.filter(
            site=site,
            person=person,
            state=B.BOOKED,
            slot__starts_at__lte=now + early,
            slot__ends_at__gt=now,
        )
        .order_by("slot__starts_at")
        .first()
    )
    colour = healthcode.colours_of([person.pk])[person.pk]
    judgement = verdicts.judge(colour, temperature=temperature, at=now)
    reasons = list(judgement.reasons)
    if booking is None:
        reasons.insert(0, _("no booking for this time"))
    admitted = booking is not None and judgement.verdict == Verdict.PASS
    with transaction.atomic():
        if admitted:
            admitted = bool(
                Booking.objects.filter(pk=booking.pk, state=B.BOOKED).update(state=B.ENTERED)
            )
            if admitted:
                TouristSite.objects.filter(pk=site.pk).update(inside=F("inside") + 1)
            else:
                reasons.insert(0, _("this booking has already entered"))
        passage = Passage.objects.create(
            site=site,
            booking=booking,
            direction=Passage.Direction.IN,
            at=now,
            admitted=admitted,
            temperature=temperature,
            reasons="; ".join(str(r) for r in reasons)[:300],
            recorded_by=actor,
        )
        audit.record(
            actor,
            "site.entry" if admitted else "site.entry_refused",
            passage,
            region_code=site.region_id,
            reason=passage.reasons,
        )
    return passage, person


def leave(actor, site: TouristSite, *, document: str, now: datetime | None = None) -> Passage:
    """A visitor who entered on a booking goes out: counted once."""
    now = now or timezone.now()
    require(actor, Capability.WORK_SITE_ENTRY, region=site.region_id, person=True)
    person = _visitor(actor, document)
    with transaction.atomic():
        booking = Booking.objects.filter(site=site, person=person, state=B.ENTERED).first()
        left = booking is not None and bool(
            Booking.objects.filter(pk=booking.pk, state=B.ENTERED).update(state=B.LEFT)
        )
        if not left:
            raise ValidationError({"document": _("this visitor has not entered")})
        TouristSite.objects.filter(pk=site.pk, inside__gt=0).update(inside=F("inside") - 1)
        passage = Passage.objects.create(
            site=site,
            booking=booking,
            direction=Passage.Direction.OUT,
            at=now,
            recorded_by=actor,
        )
        audit.record(actor, "site.exit", passage, region_code=site.region_id)
    return passage
