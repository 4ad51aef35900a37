"""Mass nucleic-acid testing: rounds over regions, sampling sites and the communities
assigned to them, tubes (a pool of up to the pool size, or a single sample) and the samples
registered into them, sealed boxes carried to labs, lab results, the recalls a positive
pool sends to single re-sampling at home, fever-clinic visits, and the priority-testing
list of persons to sample first."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import ApiToken, Region, Unit, User


class Round(models.Model):
    """One round of testing everyone residing in a set of regions between two times.
    `region` is the region that ordered it (the city, or a county), for scoping."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Sampling")
        CLOSED = "closed", _("Sampling ended")

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    regions = models.ManyToManyField(Region, related_name="+", verbose_name=_("covers"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.name


class RoundProgress(models.Model):
    """A round's figures per village or community, kept current by the services in the
    same transaction as the change (DESIGN rule 7): the statistics page sums these rows
    and never counts samples."""

    round = models.ForeignKey(
        Round, models.CASCADE, related_name="progress", verbose_name=_("round")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    target = models.PositiveIntegerField(_("target"), default=0)
    sampled = models.PositiveIntegerField(_("sampled"), default=0)
    tested = models.PositiveIntegerField(_("tested"), default=0)
    released = models.PositiveIntegerField(_("negative, free to go"), default=0)
    positive_pools = models.PositiveIntegerField(_("persons in positive pools"), default=0)
    positives = models.PositiveIntegerField(_("positive"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("round progress")
        verbose_name_plural = _("round progress")
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="progress_round_region")
        ]


class RoundHour(models.Model):
    """Samples taken per round, county and hour: the hourly progress chart."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="hours", verbose_name=_("round"))
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("county"))
    hour = models.DateTimeField(_("hour"))
    sampled = models.PositiveIntegerField(_("sampled"), default=0)

    class Meta:
        verbose_name = _("round hour")
        verbose_name_plural = _("round hours")
        constraints = [
            models.UniqueConstraint(fields=["round", "region", "hour"], name="roundhour_unique")
        ]


class SamplingSite(models.Model):
    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    tables = models.PositiveSmallIntegerField(_("sampling tables"))
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    per_table_hour = models.PositiveSmallIntegerField(_("people per table per hour"))
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("sampling site")
        verbose_name_plural = _("sampling sites")
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class SiteAssignment(models.Model):
    """A village or community sent to a site in a round, in a time slot: what a resident
    sees on their public page."""

    round = models.ForeignKey(
        Round, models.CASCADE, related_name="assignments", verbose_name=_("round")
    )
    site = models.ForeignKey(
        SamplingSite, models.CASCADE, related_name="assignments", verbose_name=_("site")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("community")
    )
    residents = models.PositiveIntegerField(_("residents"))
    slot_start = models.DateTimeField(_("slot from"))
    slot_end = models.DateTimeField(_("slot until"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("site assignment")
        verbose_name_plural = _("site assignments")
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="assignment_round_region")
        ]


class Lab(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City lab")
        COUNTY = "county", _("County lab")
        MOBILE = "mobile", _("Mobile air-dome lab")
        THIRD_PARTY = "third_party", _("Third-party lab")

    name = models.CharField(_("name"), max_length=150)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    daily_capacity = models.PositiveIntegerField(_("tubes a day"))
    # Lab staff whose unit this is see the boxes allocated to the lab.
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    is_active = models.BooleanField(_("in operation"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class Box(models.Model):
    """A sealed transport box of tubes from a site to the lab it was allocated to."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being filled")
        SEALED = "sealed", _("Sealed, in transit")
        RECEIVED = "received", _("Received by the lab")

    barcode = models.CharField(_("box barcode"), max_length=32, unique=True)
    site = models.ForeignKey(
        SamplingSite,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="boxes",
        verbose_name=_("site"),
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    lab = models.ForeignKey(
        Lab, models.PROTECT, null=True, blank=True, related_name="boxes", verbose_name=_("lab")
    )
    tubes = models.PositiveIntegerField(_("tubes"), default=0)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("transport box")
        verbose_name_plural = _("transport boxes")
        indexes = [models.Index(fields=["lab", "status"], name="box_lab_status")]

    def __str__(self):
        return self.barcode


class Result(models.TextChoices):
    PENDING = "", _("Awaiting result")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid, re-sample")


class Tube(models.Model):
    """A sampling tube: a pool of up to `capacity` persons' swabs, or one person's. It
    closes at capacity (or when the table closes it), travels in a box, and gets one
    result from the lab."""

    class Purpose(models.TextChoices):
        ROUND = "round", _("Testing round")
        RECALL = "recall", _("Single re-test of a positive pool")
        PRIORITY = "priority", _("Priority test")
        FEVER_CLINIC = "fever_clinic", _("Fever clinic")

    class Status(models.TextChoices):
        OPEN = "open", _("Taking samples")
        CLOSED = "closed", _("Closed, not yet boxed")
        BOXED = "boxed", _("In a box")
        RECEIVED = "received", _("Received by the lab")
        RESULTED = "resulted", _("Resulted")

    barcode = models.CharField(_("tube barcode"), max_length=32, unique=True)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    round = models.ForeignKey(
        Round, models.PROTECT, null=True, blank=True, related_name="tubes", verbose_name=_("round")
    )
    site = models.ForeignKey(
        SamplingSite,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="tubes",
        verbose_name=_("site"),
    )
    # The site's region (or the community's, for door-to-door and recalls).
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    capacity = models.PositiveSmallIntegerField(_("pool size"))
    members = models.PositiveSmallIntegerField(_("samples"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    box = models.ForeignKey(
        Box, models.PROTECT, null=True, blank=True, related_name="tube_set", verbose_name=_("box")
    )
    opened_at = models.DateTimeField(_("first sample at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, blank=True, default=Result.PENDING
    )
    ct_orf1ab = models.DecimalField(
        _("Ct ORF1ab"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    ct_n = models.DecimalField(_("Ct N"), max_digits=4, decimal_places=1, null=True, blank=True)
    ct_e = models.DecimalField(_("Ct E"), max_digits=4, decimal_places=1, null=True, blank=True)
    reagent = models.CharField(_("reagent"), max_length=100, blank=True)
    resulted_at = models.DateTimeField(_("tested at"), null=True, blank=True)
    lab = models.ForeignKey(
        Lab, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lab")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        indexes = [
            models.Index(fields=["round", "status"], name="tube_round_status"),
            # A lab's backlog: its tubes not yet resulted.
            models.Index(fields=["lab", "status"], name="tube_lab_status"),
        ]

    def __str__(self):
        return self.barcode


class Sample(models.Model):
    """One person's swab in a tube. Scoped by the person's region of residence. Its
    `result` is the person's own: a negative pool makes every member negative; a
    positive pool makes them `pool_positive` until their single re-test resolves it."""

    class Status(models.TextChoices):
        AWAITING = "", _("Awaiting result")
        NEGATIVE = "negative", _("Negative")
        POOL_POSITIVE = "pool_positive", _("Positive pool: closed management, re-test")
        POSITIVE = "positive", _("Positive")
        INVALID = "invalid", _("Invalid, re-sample")
        RESOLVED = "resolved", _("Pool resolved: own single re-test negative")

    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    # Both foreign keys are served by the composite indexes below; one index fewer is less
    # to write for each of a round's ten million rows.
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    tube = models.ForeignKey(Tube, models.PROTECT, related_name="samples", verbose_name=_("tube"))
    round = models.ForeignKey(
        Round,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="samples",
        db_index=False,
        verbose_name=_("round"),
    )
    sampled_at = models.DateTimeField(_("sampled at"))
    door_to_door = models.BooleanField(_("door to door"), default=False)
    # A deliberate second sample in the same round (the first was spoiled, a recall...).
    resample = models.BooleanField(_("re-sample"), default=False)
    status = models.CharField(
        _("result"), max_length=14, choices=Status.choices, blank=True, default=Status.AWAITING
    )
    resulted_at = models.DateTimeField(_("result at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sampled by")
    )
    recorded_by_token = models.ForeignKey(
        ApiToken,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sampled by device"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        indexes = [
            models.Index(fields=["round", "person"], name="sample_round_person"),
            models.Index(fields=["person", "sampled_at"], name="sample_person_time"),
            models.Index(fields=["region", "sampled_at"], name="sample_region_time"),
        ]

    def __str__(self):
        return f"{self.person_id} in {self.tube_id}"


class Recall(models.Model):
    """A member of a positive pool to re-sample alone at home: a task for their community,
    resolved by the single result."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To re-sample")
        SAMPLED = "sampled", _("Re-sampled, awaiting result")
        NEGATIVE = "negative", _("Negative")
        POSITIVE = "positive", _("Positive")

    pool_sample = models.OneToOneField(
        Sample, models.CASCADE, related_name="recall", verbose_name=_("pooled sample")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"))
    deadline = models.DateTimeField(_("re-sample by"))
    single_sample = models.OneToOneField(
        Sample,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="recalled_by",
        verbose_name=_("single sample"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        indexes = [models.Index(fields=["region", "status"], name="recall_region_status")]

    def __str__(self):
        return f"{self.person_id} {self.get_status_display()}"


class FeverClinic(models.Model):
    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    is_active = models.BooleanField(_("open"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("fever clinic")
        verbose_name_plural = _("fever clinics")
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class FeverVisit(models.Model):
    """A patient at a fever clinic: symptoms, temperature, epidemiological history, the
    mandatory test, and where the doctors sent them. Scoped by the patient's region."""

    class Triage(models.TextChoices):
        PENDING = "", _("Awaiting the test result")
        HOME = "home", _("Sent home (negative, no exposure)")
        OBSERVATION = "observation", _("Kept under observation")
        SUSPECTED = "suspected", _("Suspected case, reported")
        HOSPITAL = "hospital", _("Transferred to a designated hospital")

    clinic = models.ForeignKey(
        FeverClinic, models.PROTECT, related_name="visits", verbose_name=_("clinic")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("patient")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    visited_at = models.DateTimeField(_("visited at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("symptoms"), default=list)
    epi_history = models.CharField(_("epidemiological history"), max_length=500, blank=True)
    # Codes of the suspected-case definition's history questions (services.clinics EPI_FLAGS).
    epi_flags = models.JSONField(_("epidemiological history flags"), default=list)
    sample = models.OneToOneField(
        Sample,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="fever_visit",
        verbose_name=_("test sample"),
    )
    triage = models.CharField(
        _("triage"), max_length=12, choices=Triage.choices, blank=True, default=Triage.PENDING
    )
    recorded_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("fever-clinic visit")
        verbose_name_plural = _("fever-clinic visits")
        indexes = [models.Index(fields=["clinic", "visited_at"], name="fevervisit_clinic_time")]

    def __str__(self):
        return f"{self.clinic_id} {self.visited_at:%Y-%m-%d %H:%M}"


class PriorityTest(models.Model):
    """A person the testing module must sample first (fever at a checkpoint or a fever
    clinic, a close contact, a suspected case). The modules that learn of such a person list
    them (services.priority_list); sampling marks them sampled."""

    class Reason(models.TextChoices):
        CHECKPOINT_FEVER = "checkpoint_fever", _("Fever at a checkpoint")
        FEVER_CLINIC = "fever_clinic", _("Fever-clinic patient")
        CLOSE_CONTACT = "close_contact", _("Close contact")
        SUSPECTED_CASE = "suspected_case", _("Suspected case")
        COLD_CHAIN = "cold_chain", _("Handled cold-chain goods found positive")
        KEY_STAFF = "key_staff", _("Staff in a key position, due for their periodic test")

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    source_key = models.CharField(_("source key"), max_length=100, unique=True)
    listed_at = models.DateTimeField(_("listed at"))
    deadline = models.DateTimeField(_("test by"))
    sampled_at = models.DateTimeField(_("sampled at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("priority-testing entry")
        verbose_name_plural = _("priority-testing list")
        indexes = [models.Index(fields=["region", "listed_at"], name="prioritytest_region")]

    def __str__(self):
        return f"{self.person_id} {self.get_reason_display()}"
