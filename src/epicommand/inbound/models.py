"""Inbound travellers (DOMAIN requirement 4): flights and their routes, arrivals from
every source (flight manifests, the resident's own declaration, checkpoints, other
cities), the closed loop from the port to the community (handovers and their alarms),
and the flight circuit breaker (route suspensions and diversions)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.masking import mask_id_number, mask_name
from epicommand.core.models import Region, Unit, User


class Route(models.Model):
    """An airline's route from an origin to the city's port: what the breaker suspends."""

    airline = models.CharField(_("airline"), max_length=60)
    origin = models.CharField(_("origin"), max_length=60)
    port = models.CharField(_("port of entry"), max_length=60)

    class Meta:
        verbose_name = _("flight route")
        verbose_name_plural = _("flight routes")
        constraints = [
            models.UniqueConstraint(fields=["airline", "origin", "port"], name="route_unique")
        ]

    def __str__(self):
        return f"{self.airline} {self.origin} → {self.port}"


class Flight(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LANDED = "landed", _("Landed")
        DIVERTED = "diverted", _("Diverted to another port")

    route = models.ForeignKey(
        Route, models.PROTECT, related_name="flights", verbose_name=_("route")
    )
    number = models.CharField(_("flight number"), max_length=10)
    arrival_date = models.DateField(_("arrival date"))
    # The port's region and unit: whose desk receives the flight.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    port_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("port unit")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    landed_at = models.DateTimeField(_("landed at"), null=True, blank=True)
    diverted_to = models.CharField(_("diverted to"), max_length=60, blank=True)
    manifest_handed_to = models.CharField(_("manifest handed over to"), max_length=100, blank=True)
    diverted_at = models.DateTimeField(_("diversion recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("flight")
        verbose_name_plural = _("flights")
        constraints = [
            models.UniqueConstraint(fields=["number", "arrival_date"], name="flight_unique_day")
        ]
        indexes = [models.Index(fields=["arrival_date", "id"], name="flight_day")]

    def __str__(self):
        return f"{self.number} {self.arrival_date:%Y-%m-%d}"


class Mode(models.TextChoices):
    FLIGHT = "flight", _("Flight")
    TRAIN = "train", _("Train")
    ROAD = "road", _("Road")


class Risk(models.TextChoices):
    OVERSEAS = "overseas", _("Overseas")
    HIGH = "high", _("High-risk region")
    MEDIUM = "medium", _("Medium-risk region")
    LOW = "low", _("Low-risk region")


class Source(models.TextChoices):
    MANIFEST = "manifest", _("Flight manifest")
    PORT_DESK = "port_desk", _("Port desk")
    DECLARATION = "declaration", _("Own declaration")
    CHECKPOINT = "checkpoint", _("Checkpoint passage")
    EXCHANGE = "exchange", _("Exchange file from another city")


class Stage(models.TextChoices):
    """Where a traveller stands in the closed loop, in order."""

    LANDED = "landed", _("Landed, not yet tested")
    PORT_TESTED = "port_tested", _("Tested at the port")
    IN_TRANSFER = "in_transfer", _("In the transfer vehicle")
    AT_SITE = "at_site", _("In the quarantine site")
    TO_COMMUNITY = "to_community", _("Released to the community, not yet received")
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")
    RELEASED = "released", _("Released")
    NOT_IN_LOOP = "not_in_loop", _("Not in the closed loop (low risk)")


OPEN_STAGES = (
    Stage.LANDED,
    Stage.PORT_TESTED,
    Stage.IN_TRANSFER,
    Stage.AT_SITE,
    Stage.TO_COMMUNITY,
    Stage.HOME_MONITORING,
)
BEFORE_SITE = (Stage.LANDED, Stage.PORT_TESTED, Stage.IN_TRANSFER)


class Arrival(models.Model):
    """One person arriving in the city. The destination's region keeps it: that county's
    list is where it lands. `key` makes every source idempotent (a manifest row is
    manifest:<flight>:<date>:<document>)."""

    key = models.CharField(_("source key"), max_length=100, unique=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    mode = models.CharField(_("how they came"), max_length=8, choices=Mode.choices)
    flight = models.ForeignKey(
        Flight,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="arrivals",
        verbose_name=_("flight"),
    )
    # A declaration's flight or train number (a manifest's flight is the `flight` above);
    # a database default, for the bulk writers (manifests) that do not name the column.
    trip_number = models.CharField(
        _("flight or train number"), max_length=10, blank=True, db_default=""
    )
    seat = models.CharField(_("seat"), max_length=6, blank=True)
    is_crew = models.BooleanField(_("crew member"), default=False)
    document = models.CharField(_("passport or ID number"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    # An exchange file's contact phone, for a traveller not (yet) a registered person.
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_default="")
    nationality = models.CharField(_("nationality"), max_length=3, blank=True)
    origin = models.CharField(_("from"), max_length=60)
    risk = models.CharField(_("origin risk"), max_length=8, choices=Risk.choices)
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    destination_address = models.CharField(_("destination address"), max_length=200)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("destination")
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    stage = models.CharField(_("closed-loop stage"), max_length=16, choices=Stage.choices)
    stage_at = models.DateTimeField(_("stage since"))
    port_unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("port unit"),
    )
    stay = models.ForeignKey(
        "quarantine.Stay",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quarantine stay"),
    )
    port_sampled_at = models.DateTimeField(_("sampled at the port"), null=True, blank=True)
    positive_at = models.DateTimeField(_("tested positive at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        indexes = [
            models.Index(fields=["region", "stage", "id"], name="arrival_region_stage"),
            models.Index(fields=["flight", "seat"], name="arrival_flight_seat"),
            models.Index(fields=["stage", "stage_at"], name="arrival_stage_at"),
            models.Index(fields=["document"], name="arrival_document"),
        ]

    def __str__(self):
        return f"{self.name} {self.origin}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_document(self) -> str:
        return mask_id_number(self.document)


class Handover(models.Model):
    """A traveller passed from one unit to the next: acknowledged by the receiving unit
    within the policy's hours, or it is late. The receiving unit's region keeps it, so a
    site in another county sees what is addressed to it."""

    class Step(models.TextChoices):
        TRANSFER = "transfer", _("Port to transfer vehicle")
        SITE = "site", _("Transfer vehicle to quarantine site")
        COMMUNITY = "community", _("Quarantine site to community")

    arrival = models.ForeignKey(
        Arrival, models.CASCADE, related_name="handovers", verbose_name=_("arrival")
    )
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    from_unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, related_name="+", verbose_name=_("handed over by")
    )
    to_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("to"))
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    # The site a transfer takes the traveller to, for the site's own step.
    site = models.ForeignKey(
        "quarantine.Site",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quarantine site"),
    )
    vehicle = models.CharField(_("vehicle"), max_length=30, blank=True)
    handed_at = models.DateTimeField(_("handed over at"))
    due_at = models.DateTimeField(_("to be acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        indexes = [
            models.Index(fields=["acknowledged_at", "due_at"], name="handover_open_due"),
            models.Index(fields=["region", "id"], name="handover_region_id"),
        ]

    def __str__(self):
        return f"{self.arrival_id} {self.step}"


class LoopAlarm(models.Model):
    """A break in the closed loop, raised once: told to the responsible unit at once and
    proposed as a task to the command office (command.alerts)."""

    class Kind(models.TextChoices):
        NOT_ARRIVED = "not_arrived", _("Landed but not arrived at the site")
        NOT_RECEIVED = "not_received", _("Released but not received by the community")
        LATE_HANDOVER = "late_handover", _("Handover not acknowledged in time")

    key = models.CharField(_("alarm key"), max_length=60, unique=True)
    arrival = models.ForeignKey(
        Arrival, models.CASCADE, related_name="alarms", verbose_name=_("arrival")
    )
    handover = models.ForeignKey(
        Handover,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handover"),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    responsible = models.CharField(_("responsible person"), max_length=150, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("closed-loop alarm")
        verbose_name_plural = _("closed-loop alarms")
        indexes = [models.Index(fields=["region", "resolved_at"], name="loopalarm_open")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.arrival_id}"


class Suspension(models.Model):
    """A route's suspension by the circuit breaker: proposed by the platform with its
    evidence (the flight's positives), confirmed or dismissed by the command office."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    route = models.ForeignKey(
        Route, models.PROTECT, related_name="suspensions", verbose_name=_("route")
    )
    flight = models.ForeignKey(
        Flight, models.PROTECT, related_name="suspensions", verbose_name=_("triggering flight")
    )
    rule = models.CharField(_("breaker rule"), max_length=10)
    positives = models.PositiveSmallIntegerField(_("positive passengers"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    starts_on = models.DateField(_("suspended from"))
    ends_on = models.DateField(_("suspended until"))
    evidence = models.JSONField(_("evidence"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )

    class Meta:
        verbose_name = _("route suspension")
        verbose_name_plural = _("route suspensions")
        ordering = ["route_id", "starts_on"]

    def __str__(self):
        return f"{self.route} {self.starts_on}–{self.ends_on}"
