"""Daily tasks and their tree, the responsibility chain, accountability records, emergency
reports with the leaders' signatures and daily summaries. Notifications and the dashboard's
counters are platform services in core."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, Unit


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class Task(models.Model):
    """One assignment to one unit. A county's share of a city task is a child task the
    county decomposes further; the tree is the chain of command for that piece of work."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("instructions"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    deadline = models.DateTimeField(_("deadline"))
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent task"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issuing_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="issued_tasks", verbose_name=_("issuing unit")
    )
    assignee = models.ForeignKey(
        Unit, models.PROTECT, related_name="tasks", verbose_name=_("assigned unit")
    )
    # The assignee's region, copied so that tasks are scoped like every other record.
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )
    # Set when the platform raised the task from its own state ("Gaocheng: 320 close
    # contacts not controlled within 24 h"); the key stops the same alert raising twice.
    source_key = models.CharField(_("raised from"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    overdue_noted_at = models.DateTimeField(
        _("overdue noted at"),
        null=True,
        blank=True,
        help_text=_("When the overdue check first found this task past its deadline."),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["region", "status", "deadline"], name="task_region_status"),
            models.Index(fields=["status", "deadline"], name="task_status_deadline"),
            models.Index(fields=["source_key"], name="task_source_key"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DONE, self.Status.CANCELLED)

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.deadline < (now or timezone.now())


class TaskEvent(models.Model):
    """The task's trail: issued, acknowledged, progress, decomposed, completed, overdue.
    Supervision reads it to see how long each step took."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        PROGRESS = "progress", _("Progress report")
        DECOMPOSED = "decomposed", _("Decomposed")
        COMPLETED = "completed", _("Completed")
        OVERDUE = "overdue", _("Overdue")
        CANCELLED = "cancelled", _("Cancelled")

    task = models.ForeignKey(Task, models.CASCADE, related_name="events", verbose_name=_("task"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("text"), blank=True)
    percent_done = models.PositiveSmallIntegerField(_("percent done"), null=True, blank=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "id"]


def attachment_path(instance, filename):
    return f"tasks/{instance.task_id}/{filename}"


class TaskAttachment(models.Model):
    """A file given with the task (a brief) or with its completion (evidence)."""

    class Kind(models.TextChoices):
        BRIEF = "brief", _("Brief")
        EVIDENCE = "evidence", _("Evidence")

    task = models.ForeignKey(
        Task, models.CASCADE, related_name="attachments", verbose_name=_("task")
    )
    event = models.ForeignKey(
        TaskEvent,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("event"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class ResponsiblePerson(models.Model):
    """The responsibility chain: a region's or a unit's first responsible person ("top
    leader") and its team members ("one post, two responsibilities")."""

    class Duty(models.TextChoices):
        FIRST_RESPONSIBLE = "first", _("First responsible person")
        TEAM_MEMBER = "member", _("Team member")

    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, verbose_name=_("unit"))
    duty = models.CharField(_("duty"), max_length=8, choices=Duty.choices)
    name = models.CharField(_("name"), max_length=100)
    post = models.CharField(_("post"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("platform account"),
    )

    class Meta:
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsibility chain")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=False) | models.Q(unit__isnull=False),
                name="responsible_for_a_region_or_unit",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(duty="first", unit__isnull=True),
                name="one_first_responsible_per_region",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(duty="first"),
                name="one_first_responsible_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.post})"


class AccountabilityRecord(models.Model):
    """Discipline inspection's finding that a unit or person acted too little, too late or
    in disorder, and what came of it."""

    class Kind(models.TextChoices):
        INACTION = "inaction", _("Inaction")
        SLOWNESS = "slowness", _("Slow action")
        DISORDER = "disorder", _("Disorderly action")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Under investigation")
        NO_FAULT = "no_fault", _("No fault found")
        ADMONISHED = "admonished", _("Admonishing talk")
        CRITICIZED = "criticized", _("Notice of criticism")
        WARNING = "warning", _("Disciplinary warning")
        DISMISSED = "dismissed", _("Removed from post")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(Unit, models.PROTECT, verbose_name=_("unit"))
    responsible = models.ForeignKey(
        ResponsiblePerson,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("responsible person"),
    )
    task = models.ForeignKey(
        Task,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accountability_records",
        verbose_name=_("task"),
    )
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    description = models.TextField(_("finding"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_text = models.TextField(_("outcome details"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")


class EmergencyReport(models.Model):
    """An emergency any unit reports at once. The top leaders of the party and of the
    government review and sign it; it cannot be closed without both signatures."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        SIGNED = "signed", _("Signed by the leaders")
        HANDLING = "handling", _("Being handled")
        CLOSED = "closed", _("Closed")

    class Severity(models.IntegerChoices):
        CRITICAL = 1, _("Particularly serious")
        MAJOR = 2, _("Serious")
        LARGER = 3, _("Relatively serious")
        GENERAL = 4, _("General")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("report"))
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    filing_unit = models.ForeignKey(Unit, models.PROTECT, verbose_name=_("filing unit"))
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FILED
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("emergency report")
        verbose_name_plural = _("emergency reports")
        indexes = [models.Index(fields=["region", "status"], name="report_region_status")]

    def __str__(self):
        return self.title


class Signature(models.Model):
    """A top leader's review and signature ("批示") on an emergency report."""

    class Capacity(models.TextChoices):
        PARTY = "party", _("Party secretary")
        GOVERNMENT = "government", _("Head of government")

    report = models.ForeignKey(
        EmergencyReport, models.CASCADE, related_name="signatures", verbose_name=_("report")
    )
    capacity = models.CharField(_("capacity"), max_length=16, choices=Capacity.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    instruction = models.TextField(_("instruction"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "capacity"], name="one_signature_per_capacity"
            )
        ]


class ReportUpdate(models.Model):
    """How the report is being handled: each step, who, when."""

    report = models.ForeignKey(
        EmergencyReport, models.CASCADE, related_name="updates", verbose_name=_("report")
    )
    text = models.TextField(_("handling"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("handling step")
        verbose_name_plural = _("handling steps")
        ordering = ["at", "id"]


class DailySummary(models.Model):
    """The day's summary for the city or one county, kept as it was generated."""

    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    day = models.DateField(_("day"))
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    figures = models.JSONField(_("figures"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("daily summary")
        verbose_name_plural = _("daily summaries")
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="one_summary_a_day")]
