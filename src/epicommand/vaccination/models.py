"""Vaccination of key groups: the sites and their slots, an employer's roster (staff tagged
with a key group), bookings, doses, each person's series (what is due next, and when it is
overdue), the stock of each lot at a site, adverse events following immunization, and the
coverage tally the dashboard reads."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, Unit


class Site(models.Model):
    """A vaccination site (a community health centre, a hospital's clinic, a temporary
    point): its region's county sees and staffs it."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    daily_capacity = models.PositiveIntegerField(_("doses a day"))
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("vaccination site")
        verbose_name_plural = _("vaccination sites")
        indexes = [models.Index(fields=["region", "name"], name="vacc_site_region")]

    def __str__(self):
        return self.name


class Slot(models.Model):
    """An hour of a site's day with room for `capacity` bookings. `booked` only grows by a
    conditional UPDATE (booked < capacity), so two bookings at once cannot overfill it."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="slots", verbose_name=_("site"))
    starts_at = models.DateTimeField(_("starts at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    booked = models.PositiveIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["site", "starts_at"], name="vacc_slot_once"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="vacc_slot_full"),
        ]

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class RosterEntry(models.Model):
    """A member of an employer's staff (the employer is a unit), tagged with a key group.
    Scoped by the employer's region: the county of the unit keeps its rosters."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+", verbose_name=_("employer"))
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    group = models.CharField(_("key group"), max_length=32)
    job = models.CharField(_("job"), max_length=60, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the employer")
    )
    listed_at = models.DateTimeField(_("listed at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        constraints = [
            models.UniqueConstraint(fields=["unit", "person"], name="vacc_roster_once"),
        ]
        indexes = [models.Index(fields=["person"], name="vacc_roster_person")]


class Booking(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        VACCINATED = "vaccinated", _("Vaccinated")

    slot = models.ForeignKey(Slot, models.CASCADE, related_name="bookings", verbose_name=_("slot"))
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    # The employer that booked its staff member; empty when the resident booked.
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("employer")
    )
    group = models.CharField(_("key group"), max_length=32, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.BOOKED)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the site")
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            # One open booking per person: a second waits until the first is used or cancelled.
            models.UniqueConstraint(
                fields=["person"], condition=Q(state="booked"), name="vacc_one_open_booking"
            ),
        ]
        indexes = [models.Index(fields=["slot", "state"], name="vacc_booking_slot")]


class Series(models.Model):
    """A person's course of one product: how many doses so far, and when the next is due
    (no sooner than `next_from`, overdue after `next_by`). One per person; the overdue
    list reads it, never the doses. Scoped by the employer's region (the person's own
    when they are on no roster), so the unit that must send them sees them."""

    person = models.OneToOneField(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    product = models.CharField(_("product"), max_length=20)
    doses_given = models.PositiveSmallIntegerField(_("doses given"))
    doses_needed = models.PositiveSmallIntegerField(_("doses needed"))
    last_dose_at = models.DateTimeField(_("last dose at"))
    next_from = models.DateField(_("next dose from"), null=True, blank=True)
    next_by = models.DateField(_("next dose by"), null=True, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("employer")
    )
    group = models.CharField(_("key group"), max_length=32, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("dose series")
        verbose_name_plural = _("dose series")
        indexes = [
            # The overdue list: open series by the day they fell due, by region.
            models.Index(
                fields=["next_by", "region", "id"],
                condition=Q(complete=False),
                name="vacc_series_open",
            ),
            models.Index(
                fields=["unit", "next_by", "id"],
                condition=Q(complete=False),
                name="vacc_series_unit_open",
            ),
        ]


class Dose(models.Model):
    """One dose given: what (product, lot), where (site), which of the series, when and by
    whom, with the answers to the contraindication checklist. Scoped by the site."""

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    product = models.CharField(_("product"), max_length=20)
    lot = models.CharField(_("lot"), max_length=30)
    site = models.ForeignKey(Site, models.PROTECT, related_name="doses", verbose_name=_("site"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    vaccinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("vaccinator"),
    )
    screening = models.JSONField(_("contraindication answers"), default=dict)
    group = models.CharField(_("key group"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("employer")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the site")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("dose")
        verbose_name_plural = _("doses")
        constraints = [
            models.UniqueConstraint(fields=["person", "dose_number"], name="vacc_dose_once"),
        ]
        indexes = [models.Index(fields=["site", "given_at"], name="vacc_dose_site_day")]


class StockLot(models.Model):
    """A lot of a product at a site: doses received, used and wasted. On hand (received -
    used - wasted) never goes below zero: the database refuses it."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="stock", verbose_name=_("site"))
    product = models.CharField(_("product"), max_length=20)
    lot = models.CharField(_("lot"), max_length=30)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    received = models.PositiveIntegerField(_("received"), default=0)
    used = models.PositiveIntegerField(_("used"), default=0)
    wasted = models.PositiveIntegerField(_("wasted"), default=0)

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        constraints = [
            models.UniqueConstraint(fields=["site", "product", "lot"], name="vacc_lot_once"),
            models.CheckConstraint(
                condition=Q(received__gte=F("used") + F("wasted")), name="vacc_stock_not_negative"
            ),
        ]

    @property
    def on_hand(self) -> int:
        return self.received - self.used - self.wasted


class AdverseEvent(models.Model):
    """An adverse event following immunization, reported at the site or by a doctor and
    followed by the disease-control staff until closed."""

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild (common reaction)")
        SERIOUS = "serious", _("Serious")

    class State(models.TextChoices):
        REPORTED = "reported", _("Reported")
        FOLLOWING = "following", _("Being followed")
        CLOSED = "closed", _("Closed")

    dose = models.ForeignKey(Dose, models.PROTECT, related_name="+", verbose_name=_("dose"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    symptoms = models.CharField(_("symptoms"), max_length=300)
    onset_at = models.DateTimeField(_("onset at"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REPORTED
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    notes = models.TextField(_("follow-up notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the site")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("adverse event following immunization")
        verbose_name_plural = _("adverse events following immunization")
        indexes = [models.Index(fields=["region", "state"], name="vacc_aefi_open")]


class Coverage(models.Model):
    """The dashboard's tally, kept by the services in their transactions: for a region (the
    employer's, or the person's own), an employer (0: none) and a key group, the staff on
    rosters, the persons who began a series and those who finished it. The coverage pages
    add these rows up; they never count doses."""

    region = models.ForeignKey(Region, models.CASCADE, related_name="+", verbose_name=_("region"))
    unit_key = models.BigIntegerField(_("employer id (0: none)"))
    group = models.CharField(_("key group"), max_length=32)
    rostered = models.BigIntegerField(_("on rosters"), default=0)
    begun = models.BigIntegerField(_("first dose given"), default=0)
    complete = models.BigIntegerField(_("series complete"), default=0)

    class Meta:
        verbose_name = _("coverage tally")
        verbose_name_plural = _("coverage tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "unit_key", "group"], name="vacc_coverage_once"
            ),
        ]
