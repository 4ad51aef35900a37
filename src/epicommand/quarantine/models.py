"""Centralized quarantine (sites, rooms, stays, twice-daily checks, the tests a stay
needs), home health monitoring after it, violations, and the households kept at home
(home quarantine, lockdown areas) that volunteer teams supply."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, Unit, User


class Site(models.Model):
    class Kind(models.TextChoices):
        HOTEL = "hotel", _("Hotel")
        CAMP = "camp", _("Purpose-built camp")
        WARD = "ward", _("Observation ward")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    manager = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_sites",
        verbose_name=_("site manager"),
    )
    manager_phone = models.CharField(_("manager's phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("quarantine site")
        verbose_name_plural = _("quarantine sites")
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class Room(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single room")
        FAMILY = "family", _("Family room")

    class Status(models.TextChoices):
        FREE = "free", _("Free")
        OCCUPIED = "occupied", _("Occupied")
        CLEANING = "cleaning", _("Cleaning")
        OUT_OF_SERVICE = "out_of_service", _("Out of service")

    site = models.ForeignKey(Site, models.CASCADE, related_name="rooms", verbose_name=_("site"))
    # The site's region, so rooms are scoped and counted without a join.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    building = models.CharField(_("building"), max_length=20, blank=True)
    floor = models.SmallIntegerField(_("floor"))
    number = models.CharField(_("room number"), max_length=20)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    beds = models.PositiveSmallIntegerField(_("beds"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FREE
    )
    occupants = models.PositiveSmallIntegerField(_("occupants"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["site_id", "building", "floor", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "building", "number"], name="room_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(occupants__lte=models.F("beds")), name="room_within_beds"
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="room_site_status")]

    def __str__(self):
        return f"{self.building}{self.number}"


class Stay(models.Model):
    """One person's quarantine from pickup to release from home monitoring. The plan (end
    of the centralized part, end of home monitoring, test days) is fixed from the edition in
    force when the stay begins and kept with the stay, so a change of edition never moves
    a release already promised."""

    class Reason(models.TextChoices):
        CLOSE_CONTACT = "close_contact", _("Close contact")
        SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")
        INBOUND = "inbound", _("Inbound traveller")
        HIGH_RISK_AREA = "high_risk_area", _("From a high-risk area")

    class Status(models.TextChoices):
        IN_TRANSFER = "in_transfer", _("Being transferred")
        IN_SITE = "in_site", _("In centralized quarantine")
        HOME_MONITORING = "home_monitoring", _("Home health monitoring")
        RELEASED = "released", _("Released")
        TO_HOSPITAL = "to_hospital", _("Transferred to a designated hospital")

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # None for a stay kept at home from the start (9th-edition secondary contacts).
    site = models.ForeignKey(
        Site,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="stays",
        verbose_name=_("site"),
    )
    room = models.ForeignKey(
        Room,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="stays",
        verbose_name=_("room"),
    )
    # The site's region: the stay is the site's record; the person's own district reads it
    # through the person. A stay at home is the person's region.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    edition = models.CharField(_("protocol edition"), max_length=4)
    started_at = models.DateTimeField(_("started at"))
    planned_site_end = models.DateField(_("centralized quarantine ends"))
    planned_home_end = models.DateField(_("home monitoring ends"))
    # Pickup and closed-loop transfer to the site.
    pickup_address = models.CharField(_("pickup address"), max_length=200, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=30, blank=True)
    pickup_at = models.DateTimeField(_("pickup time"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrival confirmed at"), null=True, blank=True)
    left_site_at = models.DateTimeField(_("left the site at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        User, models.PROTECT, null=True, related_name="+", verbose_name=_("assigned by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The device's or client's own id of a batch item (core.intake): a retried batch
    # finds its stays by it. Stays assigned one at a time have none.
    client_id = models.CharField(
        _("client id"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("quarantine stay")
        verbose_name_plural = _("quarantine stays")
        indexes = [
            models.Index(fields=["site", "status"], name="stay_site_status"),
            models.Index(fields=["region", "status"], name="stay_region_status"),
            models.Index(fields=["person", "status"], name="stay_person_status"),
            models.Index(fields=["planned_site_end"], name="stay_site_end"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.get_status_display()}"


ACTIVE_STAY_STATUSES = (Stay.Status.IN_TRANSFER, Stay.Status.IN_SITE, Stay.Status.HOME_MONITORING)


class HealthCheck(models.Model):
    """A morning or afternoon check: temperature and symptoms."""

    class Symptom(models.TextChoices):
        COUGH = "cough", _("Cough")
        SORE_THROAT = "sore_throat", _("Sore throat")
        FATIGUE = "fatigue", _("Fatigue")
        DIARRHOEA = "diarrhoea", _("Diarrhoea")
        LOSS_OF_SMELL = "loss_of_smell", _("Loss of smell or taste")
        SHORTNESS_OF_BREATH = "shortness_of_breath", _("Shortness of breath")

    stay = models.ForeignKey(Stay, models.CASCADE, related_name="checks", verbose_name=_("stay"))
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    checked_at = models.DateTimeField(_("checked at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        indexes = [models.Index(fields=["stay", "checked_at"], name="check_stay_time")]

    def __str__(self):
        return f"{self.stay_id} {self.temperature}"


class StayTest(models.Model):
    """A test the stay's plan requires on a day (day 1 = the first day of the stay). The
    result comes from the testing module, or is entered at the site until it lands."""

    class Phase(models.TextChoices):
        SITE = "site", _("Centralized quarantine")
        RELEASE = "release", _("Release (second sample, second reagent)")
        HOME = "home", _("Home health monitoring")

    class Result(models.TextChoices):
        PENDING = "pending", _("Not yet sampled")
        SAMPLED = "sampled", _("Sampled, awaiting result")
        NEGATIVE = "negative", _("Negative")
        POSITIVE = "positive", _("Positive")
        INVALID = "invalid", _("Invalid, re-sample")

    stay = models.ForeignKey(Stay, models.CASCADE, related_name="tests", verbose_name=_("stay"))
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    phase = models.CharField(_("phase"), max_length=8, choices=Phase.choices)
    day = models.PositiveSmallIntegerField(_("day of the stay"))
    due_on = models.DateField(_("due on"))
    result = models.CharField(
        _("result"), max_length=8, choices=Result.choices, default=Result.PENDING
    )
    sampled_at = models.DateTimeField(_("sampled at"), null=True, blank=True)
    reagent = models.CharField(_("reagent"), max_length=60, blank=True)
    resulted_at = models.DateTimeField(_("result at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("required test")
        verbose_name_plural = _("required tests")
        ordering = ["stay_id", "due_on", "phase"]
        indexes = [models.Index(fields=["region", "due_on", "result"], name="staytest_due")]

    def __str__(self):
        return f"{self.stay_id} day {self.day}"


class Alert(models.Model):
    """A check with fever or respiratory symptoms, or a positive required test: what the
    site's responsible unit and the county's epidemiologists were told. Kept in its own
    small table so the alerts page never scans the checks."""

    class Kind(models.TextChoices):
        FEVER = "fever", _("Fever")
        SYMPTOMS = "symptoms", _("Respiratory symptoms")
        POSITIVE = "positive", _("Positive test")

    stay = models.ForeignKey(Stay, models.CASCADE, related_name="alerts", verbose_name=_("stay"))
    site = models.ForeignKey(
        Site,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("site"),
    )
    # The stay's region, so alerts are scoped like the stay.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    at = models.DateTimeField(_("observed at"))
    detail = models.CharField(_("detail"), max_length=200)
    check_record = models.ForeignKey(
        HealthCheck,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("health check"),
    )
    test = models.ForeignKey(
        StayTest,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("required test"),
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["region", "id"], name="alert_region_id"),
            models.Index(fields=["site", "id"], name="alert_site_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.stay_id}"


class Violation(models.Model):
    class Kind(models.TextChoices):
        LEFT_WITHOUT_AUTHORIZATION = "left", _("Left without authorization")
        REFUSED_TEST = "refused_test", _("Refused a test")
        REFUSED_MONITORING = "refused_monitoring", _("Refused medical monitoring")
        CONCEALED = "concealed", _("Concealed information")
        FALSIFIED = "falsified", _("Falsified information")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        REFERRED = "referred", _("Referred to public security")
        CLOSED = "closed", _("Closed with an outcome")

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    stay = models.ForeignKey(
        Stay, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stay")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("what happened"))
    photo = models.ImageField(_("photo evidence"), upload_to="violations/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECORDED
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referred_to = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred to"),
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [models.Index(fields=["region", "status"], name="violation_region_status")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person_id}"


class VolunteerTeam(models.Model):
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    leader = models.CharField(_("team leader"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    members = models.PositiveSmallIntegerField(_("members"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")

    def __str__(self):
        return self.name


class HouseholdControl(models.Model):
    """A household that must stay at home: home quarantine, or living in a high-risk
    (lockdown) area; its community worker and the volunteer team that supplies it."""

    class Kind(models.TextChoices):
        HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
        LOCKDOWN_AREA = "lockdown_area", _("In a high-risk (lockdown) area")

    household = models.ForeignKey(
        "people.Household", models.PROTECT, related_name="+", verbose_name=_("household")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(_("since"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    community_worker = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community worker"),
    )
    team = models.ForeignKey(
        VolunteerTeam,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("volunteer team"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("household at home")
        verbose_name_plural = _("households at home")
        indexes = [
            models.Index(fields=["region", "ended_at"], name="householdcontrol_region"),
            # The households at home of a jurisdiction, paged by (region, id): a range of
            # this index however many a lockdown put at home (people's person_region_id).
            models.Index(
                fields=["region", "id"],
                condition=models.Q(ended_at__isnull=True),
                name="householdcontrol_open",
            ),
        ]

    def __str__(self):
        return f"{self.household_id} {self.get_kind_display()}"


class SupplyRequest(models.Model):
    class Kind(models.TextChoices):
        NECESSITIES = "necessities", _("Daily necessities")
        MEDICINE = "medicine", _("Medicine")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ASSIGNED = "assigned", _("Assigned to a volunteer")
        DELIVERED = "delivered", _("Delivered")
        CONFIRMED = "confirmed", _("Receipt confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    control = models.ForeignKey(
        HouseholdControl,
        models.CASCADE,
        related_name="requests",
        verbose_name=_("household at home"),
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    items = models.TextField(_("items"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"))
    team = models.ForeignKey(
        VolunteerTeam,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("volunteer team"),
    )
    volunteer = models.CharField(_("volunteer"), max_length=50, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        indexes = [
            models.Index(fields=["region", "status", "due_at"], name="supply_open"),
            # Open requests, the soonest due first: the supply list reads this index in
            # order and stops at a page, where the region's index would sort them all.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=["requested", "assigned"]),
                name="supply_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.control_id}"


# Requested or assigned: not yet delivered.
OPEN_REQUEST_STATUSES = (SupplyRequest.Status.REQUESTED, SupplyRequest.Status.ASSIGNED)
