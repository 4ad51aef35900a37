"""Cases, their classification changes and their trajectory (visits)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, User


class Classification(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected case")
    MILD = "mild", _("Confirmed, mild")
    MODERATE = "moderate", _("Confirmed, moderate")
    SEVERE = "severe", _("Confirmed, severe")
    CRITICAL = "critical", _("Confirmed, critical")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")


CONFIRMED = (
    Classification.MILD,
    Classification.MODERATE,
    Classification.SEVERE,
    Classification.CRITICAL,
)


class DetectionRoute(models.TextChoices):
    MASS_TESTING = "mass_testing", _("Positive in mass testing")
    PRIORITY_TEST = "priority_test", _("Positive in a priority test")
    FEVER_CLINIC = "fever_clinic", _("Fever clinic")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    INBOUND = "inbound", _("Inbound screening")
    QUARANTINE = "quarantine", _("Test in quarantine")
    REPORT = "report", _("Report")


class Outcome(models.TextChoices):
    OPEN = "", _("Under treatment or observation")
    RECOVERED = "recovered", _("Recovered and discharged")
    DIED = "died", _("Died")
    RULED_OUT = "ruled_out", _("Ruled out")


class Case(models.Model):
    """A person's infection episode (a second infection is a second episode). Scoped by the
    person's region of residence. The investigation is part of the case: who was assigned,
    and when each of the policy's three milestones was reached."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    episode = models.PositiveSmallIntegerField(_("episode"), default=1)
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices
    )
    detection_route = models.CharField(
        _("detected by"), max_length=16, choices=DetectionRoute.choices
    )
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    sampling_date = models.DateField(_("sampling date"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The trajectory ends here: from isolation on the case meets no one unprotected.
    isolated_at = models.DateTimeField(_("isolated at"), null=True, blank=True)
    hospital = models.CharField(_("designated hospital"), max_length=150, blank=True)
    transfer_ordered_at = models.DateTimeField(_("transfer ordered at"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=Outcome.OPEN
    )
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    # What registered it ("pool 8812 single re-test"): a module that registers the same
    # case twice (a retried lab upload) finds it by this key and changes nothing.
    source_key = models.CharField(
        _("source key"), max_length=100, null=True, blank=True, unique=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The investigation.
    epidemiologist = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="investigations",
        verbose_name=_("epidemiologist"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    core_done_at = models.DateTimeField(_("core investigation done at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("investigation completed at"), null=True, blank=True)
    cluster = models.ForeignKey(
        "Cluster",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("cluster"),
    )
    registered_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["region", "reported_at"], name="case_region_reported"),
            models.Index(fields=["completed_at", "reported_at"], name="case_investigation_open"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "episode"], name="case_person_episode")
        ]

    def __str__(self):
        return _("Case %(n)s") % {"n": self.pk}


class ClassificationChange(models.Model):
    """A case's classification history: suspected, then confirmed mild, then severe..."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="classifications", verbose_name=_("case")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    at = models.DateTimeField(_("time"))
    classification_from = models.CharField(
        _("from"), max_length=16, choices=Classification.choices, blank=True
    )
    classification_to = models.CharField(_("to"), max_length=16, choices=Classification.choices)
    changed_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("classification change")
        verbose_name_plural = _("classification changes")
        ordering = ["case_id", "at", "id"]

    def __str__(self):
        return f"{self.classification_from} → {self.classification_to}"


class Visit(models.Model):
    """One activity of a case inside the look-back window: found automatically (a scan, a
    checkpoint passage, home, workplace) and confirmed or removed by the epidemiologist,
    or told in the interview. Co-presence searches run over the confirmed and suggested
    visits at venues."""

    class Origin(models.TextChoices):
        SCAN = "scan", _("Place-code scan")
        CHECKPOINT = "checkpoint", _("Checkpoint record")
        HOME = "home", _("Home")
        WORKPLACE = "workplace", _("Workplace")
        INTERVIEW = "interview", _("Interview")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Found automatically, not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        REMOVED = "removed", _("Removed")

    class Mask(models.TextChoices):
        UNKNOWN = "", _("Not known")
        WORN = "worn", _("Wore a mask")
        NOT_WORN = "not_worn", _("No mask")

    case = models.ForeignKey(Case, models.CASCADE, related_name="visits", verbose_name=_("case"))
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    origin = models.CharField(_("found by"), max_length=12, choices=Origin.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    venue = models.ForeignKey(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
    )
    checkpoint = models.ForeignKey(
        "control.Checkpoint",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    companions = models.CharField(_("companions"), max_length=300, blank=True)
    mask = models.CharField(_("mask"), max_length=8, choices=Mask.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # "scan:812", "passage:77", "home", "workplace:2026-11-20": a refill finds what it
    # already found; interview visits leave it empty.
    source_key = models.CharField(_("source key"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("trajectory")
        ordering = ["case_id", "started_at", "id"]
        indexes = [models.Index(fields=["venue", "started_at"], name="visit_venue_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "source_key"],
                condition=~models.Q(source_key=""),
                name="visit_unique_source",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__gte=models.F("started_at")),
                name="visit_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.started_at:%Y-%m-%d %H:%M}"
