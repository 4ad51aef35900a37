"""Key-area control: the health code and the facts it is computed from, place-code scans,
checkpoints and what passes them, vehicle permits and lockdowns, and risk areas. The
priority-testing list that checkpoints fill is testing's (testing.models.PriorityTest)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import ApiToken, Region, Unit, User


class Colour(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


# Worst first is what a door needs: red is barred, yellow restricted, green passes.
SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


class FactKind(models.TextChoices):
    """What a module may know about a person that bears on their health code. The colour
    each kind gives, and for how long, is policy (core.policy COLOUR_RULES); a module that
    learns something records a fact and never touches a colour."""

    FEVER = "fever", _("Fever (temperature at or above the threshold)")
    HIGH_RISK_RESIDENT = "high_risk_resident", _("Lives in a high-risk area")
    MEDIUM_RISK_RESIDENT = "medium_risk_resident", _("Lives in a medium-risk area")
    HIGH_RISK_VISIT = "high_risk_visit", _("Was in a high-risk area")
    MEDIUM_RISK_VISIT = "medium_risk_visit", _("Was in a medium-risk area")
    # Recorded by the tracing, testing and quarantine modules.
    CASE = "case", _("Confirmed, suspected or asymptomatic case")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")
    CENTRALIZED_QUARANTINE = "centralized_quarantine", _("In centralized quarantine")
    HOME_MONITORING = "home_monitoring", _("Under home health monitoring")
    POSITIVE_POOL = "positive_pool", _("Member of a positive pool, not yet re-tested")
    OVERDUE_TEST = "overdue_test", _("Missed a required test")


class HealthFact(models.Model):
    """Something about a person that bears on their colour, from `started_at` until
    `ended_at` (open while the exposure or status lasts). The colour rules count their
    phases from the end: a visit to a high-risk area is red for so many days after it."""

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    # The person's region of residence, so facts are scoped like the person.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=FactKind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # What recorded it ("checkpoint passage 812", "risk area 4"): shown as the reason's origin.
    source = models.CharField(_("source"), max_length=100)
    # One fact per (kind, key): a module that records the same thing twice changes nothing.
    source_key = models.CharField(_("source key"), max_length=100)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("health fact")
        verbose_name_plural = _("health facts")
        indexes = [
            models.Index(fields=["person", "kind"], name="fact_person_kind"),
            models.Index(fields=["region", "kind"], name="fact_region_kind"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="fact_unique_source"),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="fact_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class HealthCode(models.Model):
    """A person's current colour. No row means green: nothing is known against them.
    `version` grows with every change of colour, and a QR code carries the version it was
    issued under, so a change revokes every code shown before it."""

    person = models.OneToOneField(
        "people.Person",
        models.CASCADE,
        primary_key=True,
        related_name="health_code",
        verbose_name=_("person"),
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    # [{"kind", "colour", "until", "detail"}]: why, in the words of the facts.
    reasons = models.JSONField(_("reasons"), default=list)
    # When the colour changes by itself (a phase ends); the scheduled recompute reads it.
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("colour since"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("health code")
        verbose_name_plural = _("health codes")
        indexes = [
            models.Index(fields=["region", "colour"], name="code_region_colour"),
            models.Index(fields=["valid_until"], name="code_valid_until"),
        ]

    def __str__(self):
        return self.get_colour_display()


class ColourChange(models.Model):
    """The history of a person's colour: one row per change, never rewritten."""

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    at = models.DateTimeField(_("time"))
    colour_from = models.CharField(_("from"), max_length=8, choices=Colour.choices)
    colour_to = models.CharField(_("to"), max_length=8, choices=Colour.choices)
    reasons = models.JSONField(_("reasons"), default=list)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("colour change")
        verbose_name_plural = _("colour changes")
        indexes = [models.Index(fields=["person", "at"], name="colourchange_person_at")]

    def __str__(self):
        return f"{self.colour_from} → {self.colour_to}"


class ScanMethod(models.TextChoices):
    SELF = "self", _("Resident scanned the place code")
    STAFF = "staff", _("Venue staff scanned for the resident")
    DEVICE = "device", _("Scanning device")


class Scan(models.Model):
    """A person at a venue: the movement record that tracing reads. Scoped by the
    person's region of residence, as every record about a person is."""

    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    venue = models.ForeignKey(
        "places.Venue", models.PROTECT, related_name="+", verbose_name=_("venue")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    colour = models.CharField(_("colour shown"), max_length=8, choices=Colour.choices)
    method = models.CharField(_("method"), max_length=8, choices=ScanMethod.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("place-code scan")
        verbose_name_plural = _("place-code scans")
        indexes = [
            models.Index(fields=["person", "scanned_at"], name="scan_person_time"),
            models.Index(fields=["venue", "scanned_at"], name="scan_venue_time"),
            models.Index(fields=["region", "scanned_at"], name="scan_region_time"),
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.venue_id} {self.scanned_at:%Y-%m-%d %H:%M}"


class Checkpoint(models.Model):
    class Kind(models.TextChoices):
        ROAD = "road", _("Road checkpoint")
        HIGHWAY_EXIT = "highway_exit", _("Expressway exit")
        VENUE_ENTRANCE = "venue_entrance", _("Venue entrance")
        STATION = "station", _("Station or airport")
        COMMUNITY_GATE = "community_gate", _("Village or community gate")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    venue = models.ForeignKey(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("venue"),
        help_text=_("For a venue entrance: the venue it guards."),
    )
    road = models.CharField(_("road"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    units = models.ManyToManyField(
        Unit, related_name="checkpoints", blank=True, verbose_name=_("staffing units")
    )
    is_active = models.BooleanField(_("in operation"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class Verdict(models.TextChoices):
    PASS = "pass", _("Pass")
    RESTRICTED = "restricted", _("Restricted")
    DENY = "deny", _("Deny")


class Direction(models.TextChoices):
    IN = "in", _("Entering")
    OUT = "out", _("Leaving")


class VehiclePermit(models.Model):
    """What lets a vehicle through a locked-down area: issued by a command office for one
    plate, a purpose and a time, carrying at most the policy's number of people."""

    number = models.CharField(_("permit number"), max_length=32, unique=True)
    plate = models.CharField(_("vehicle plate"), max_length=16, db_index=True)
    holder = models.CharField(_("holder"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    region = models.ForeignKey(
        Region,
        models.PROTECT,
        verbose_name=_("issuing region"),
        help_text=_("The city or county whose command office issued it."),
    )
    max_passengers = models.PositiveSmallIntegerField(_("people at most"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    issued_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("vehicle permit")
        verbose_name_plural = _("vehicle permits")

    def __str__(self):
        return self.number


class Lockdown(models.Model):
    """A region under closed management: vehicles at its checkpoints need a permit."""

    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    reason = models.CharField(_("reason"), max_length=200)
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("declared by")
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("lockdown")
        verbose_name_plural = _("lockdowns")

    def __str__(self):
        return f"{self.region} {self.declared_at:%Y-%m-%d}"


class Passage(models.Model):
    """One person through a checkpoint, with the verdict given. Kept in the checkpoint's
    region: it is the checkpoint's log; the person's own district reads it through the
    person (their trajectory), not through the log."""

    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    checkpoint = models.ForeignKey(
        Checkpoint, models.PROTECT, related_name="passages", verbose_name=_("checkpoint")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    passed_at = models.DateTimeField(_("time"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    plate = models.CharField(_("vehicle plate"), max_length=16, blank=True)
    # Everyone in the vehicle, driver included; each also has a passage of their own.
    vehicle_people = models.PositiveSmallIntegerField(_("people in the vehicle"), default=0)
    permit = models.ForeignKey(
        VehiclePermit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle permit"),
    )
    colour = models.CharField(_("colour shown"), max_length=8, choices=Colour.choices)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    reasons = models.CharField(_("reasons"), max_length=300, blank=True)
    # Where a person entering comes from, as the officer asks at the city's edge: from a
    # medium- or high-risk region the passage makes an arrival (inbound, a follow-up).
    # Database defaults: the demo's bulk writer of passages does not name these columns.
    came_from = models.CharField(_("coming from"), max_length=60, blank=True, db_default="")
    came_from_risk = models.CharField(
        _("risk level of where they come from"), max_length=8, blank=True, db_default=""
    )
    recorded_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_token = models.ForeignKey(
        ApiToken,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by device"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("checkpoint passage")
        verbose_name_plural = _("checkpoint passages")
        indexes = [
            models.Index(fields=["checkpoint", "passed_at"], name="passage_checkpoint_time"),
            models.Index(fields=["region", "passed_at"], name="passage_region_time"),
            models.Index(fields=["person", "passed_at"], name="passage_person_time"),
        ]

    def __str__(self):
        return f"{self.checkpoint_id} {self.passed_at:%Y-%m-%d %H:%M} {self.verdict}"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class RiskArea(models.Model):
    """A designation: a level over a set of regions (a county, a town, or some villages
    and compounds). The platform proposes from the edition's rule; a command office
    confirms; lifting or replacing one is a dated change, never an edit."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_FORCE = "in_force", _("In force")
        LIFTED = "lifted", _("Lifted")
        DISMISSED = "dismissed", _("Dismissed")

    class Rule(models.TextChoices):
        COUNTY_2021 = "county_2021", _("2021 county rule")
        COMPOUND_9TH = "compound_9th", _("9th edition compound rule")
        MANUAL = "manual", _("Designated by the command office")

    name = models.CharField(_("name"), max_length=150)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    # The smallest region holding every member: the area is scoped by it.
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    regions = models.ManyToManyField(
        Region, related_name="risk_areas", verbose_name=_("regions covered")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    in_force_from = models.DateTimeField(_("in force from"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")
        indexes = [models.Index(fields=["status", "level"], name="riskarea_status_level")]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()})"
