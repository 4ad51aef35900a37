"""Gatherings (issue 19): applications for going abroad, meetings and events, weddings and
funerals with their approval stages and attendees; the wartime state as a dated switch;
tourist sites, their time slots, bookings and entries."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import ApiToken, Region, Unit, User


class WartimeState(models.Model):
    """The city office's declaration that the city is in a wartime state, from a moment
    until another (open-ended until ended). Changed only by services.wartime, audited."""

    in_force_from = models.DateTimeField(_("in force from"))
    in_force_until = models.DateTimeField(_("in force until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    declared_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("declared by")
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    ended_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ended by")
    )

    class Meta:
        verbose_name = _("wartime state")
        verbose_name_plural = _("wartime states")
        ordering = ["-in_force_from"]

    def __str__(self):
        return f"wartime from {self.in_force_from:%Y-%m-%d %H:%M}"

    def holds_at(self, at) -> bool:
        return self.in_force_from <= at and (
            self.in_force_until is None or at < self.in_force_until
        )


class Kind(models.TextChoices):
    ABROAD = "abroad", _("Going abroad")
    MEETING = "meeting", _("Meeting or event")
    WEDDING = "wedding", _("Wedding")
    FUNERAL = "funeral", _("Funeral")


class Application(models.Model):
    """One application. Scoped by the region where it happens (the applicant's village for
    going abroad). Its stages are set when it is filed, from the policy in force."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    organizer = models.CharField(_("organizer"), max_length=100)
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traveller"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    venue = models.ForeignKey(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("venue"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    headcount = models.PositiveIntegerField(_("headcount"), default=1)
    area_level = models.CharField(_("risk level of the area when filed"), max_length=8)
    wartime = models.BooleanField(_("filed in the wartime state"), default=False)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=300, blank=True)
    filed_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("filed by")
    )
    filed_by_token = models.ForeignKey(
        ApiToken,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by API token"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["region", "filed_at"], name="gathering_region_filed")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}: {self.purpose}"


class Stage(models.Model):
    """One approval step. Exactly one stage of a pending application is `current`; the
    stages after it wait. `approver` names who decides (services.routing.APPROVERS)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the stage before")
        CURRENT = "current", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="stages", verbose_name=_("application")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    approver = models.CharField(_("approver"), max_length=20)
    # The region whose approvers decide it (a village, township or county), or the unit.
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("approval stage")
        verbose_name_plural = _("approval stages")
        ordering = ["application_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["application", "order"], name="one_stage_per_order")
        ]
        indexes = [models.Index(fields=["state", "approver", "due_at"], name="stage_queue")]

    def is_overdue(self, now=None) -> bool:
        return self.state == self.State.CURRENT and self.due_at < (now or timezone.now())


class Attendee(models.Model):
    """A name on a meeting's attendee list, matched to the person holding the ID number."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="attendees", verbose_name=_("application")
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["application_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "id_number"], name="one_line_per_attendee"
            )
        ]


class TouristSite(models.Model):
    """A tourist attraction with its maximum capacity; the cap in force is that times the
    policy's percentage for the risk level over its region (services.sites.cap_of)."""

    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    max_capacity = models.PositiveIntegerField(_("maximum capacity"))
    inside = models.IntegerField(_("visitors inside"), default=0)
    closed_at = models.DateTimeField(_("closed since"), null=True, blank=True)
    closed_reason = models.CharField(_("reason closed"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("tourist site")
        verbose_name_plural = _("tourist sites")
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class Slot(models.Model):
    """A time slot of a site. `booked` is the count of live bookings, raised only by a
    conditional UPDATE that holds it under the cap (services.bookings)."""

    site = models.ForeignKey(
        TouristSite, models.CASCADE, related_name="slots", verbose_name=_("site")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    booked = models.PositiveIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["site_id", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "starts_at"], name="one_slot_per_start")
        ]


class Booking(models.Model):
    """A resident's booking of a slot; scoped by the resident's region of residence."""

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ENTERED = "entered", _("Entered")
        LEFT = "left", _("Left")
        CANCELLED = "cancelled", _("Cancelled")

    slot = models.ForeignKey(Slot, models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    site = models.ForeignKey(
        TouristSite, models.PROTECT, related_name="bookings", verbose_name=_("site")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.BOOKED)
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    notice = models.CharField(_("notice to the resident"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=~Q(state="cancelled"),
                name="one_live_booking_per_slot",
            )
        ]
        indexes = [models.Index(fields=["person", "booked_at"], name="booking_person")]


class Passage(models.Model):
    """An entry or exit at a site's gate, with the checkpoint verdict of an entry."""

    class Direction(models.TextChoices):
        IN = "in", _("Entry")
        OUT = "out", _("Exit")

    site = models.ForeignKey(
        TouristSite, models.PROTECT, related_name="passages", verbose_name=_("site")
    )
    booking = models.ForeignKey(
        Booking, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("booking")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    admitted = models.BooleanField(_("admitted"), default=True)
    temperature = models.DecimalField(
        _("temperature"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    reasons = models.CharField(_("reasons"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("site passage")
        verbose_name_plural = _("site passages")
        indexes = [models.Index(fields=["site", "at"], name="site_passage_time")]
