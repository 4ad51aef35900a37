"""Routine prevention: the units under it (a profile over a place of `places` where the unit
is one, else over its region), their inspections with each checklist item passed or failed
and photos, the rectifications a failure opens, disinfection records and the terminal
disinfection tasks raised from cases' trajectories. Categories, checklists and intervals are policy
(core.policy_prevention)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, Unit


class PreventionUnit(models.Model):
    """A hospital, school, market, enterprise, village ... under routine prevention. Where
    the unit is a place it points at its `places.Venue` (clusters name venues); the
    category (policy) gives its checklist and inspection rhythm."""

    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(_("category"), max_length=32)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    venue = models.OneToOneField(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="prevention_unit",
        verbose_name=_("place"),
    )
    responsible_name = models.CharField(_("responsible person"), max_length=60)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20)
    # When the next routine inspection is due (category and the area's risk, policy).
    next_due_at = models.DateTimeField(_("next inspection due"))
    last_inspected_at = models.DateTimeField(_("last inspected"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    open_rectifications = models.PositiveIntegerField(_("open rectifications"), default=0)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("prevention unit")
        verbose_name_plural = _("prevention units")
        indexes = [
            models.Index(fields=["region", "next_due_at"], name="punit_region_due"),
            models.Index(fields=["next_due_at"], name="punit_due"),
        ]

    def __str__(self):
        return self.name


class Inspection(models.Model):
    """One inspection on the phone form: every checklist item passed or failed, with photos.
    `items` is [{"code": "masks", "label": "...", "passed": true, "note": ""}]."""

    unit = models.ForeignKey(
        PreventionUnit, models.CASCADE, related_name="inspections", verbose_name=_("unit")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    inspected_at = models.DateTimeField(_("inspected at"))
    risk_level = models.CharField(_("area risk level"), max_length=8)
    items = models.JSONField(_("checklist"), default=list)
    failed = models.PositiveSmallIntegerField(_("items failed"), default=0)
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["unit", "-inspected_at"], name="inspection_unit_time")]


class InspectionPhoto(models.Model):
    """Photo evidence of one checklist item, a JPEG or PNG checked by its content."""

    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="photos", verbose_name=_("inspection")
    )
    item = models.CharField(_("checklist item"), max_length=32)
    file = models.FileField(_("file"), upload_to="prevention/photos/%Y/%m/", max_length=300)
    content_type = models.CharField(_("content type"), max_length=20)
    width = models.PositiveIntegerField(_("width (pixels)"))
    height = models.PositiveIntegerField(_("height (pixels)"))

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")


class Rectification(models.Model):
    """What a failed inspection asks the unit's responsible person to put right by the
    deadline; closed by a re-inspection that passes those items, escalated to the command
    office when the deadline passes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey(
        PreventionUnit, models.CASCADE, related_name="rectifications", verbose_name=_("unit")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    opened_by = models.ForeignKey(
        Inspection, models.PROTECT, related_name="opened", verbose_name=_("opened by inspection")
    )
    items = models.JSONField(_("items to rectify"), default=list)  # checklist codes
    responsible_name = models.CharField(_("responsible person"), max_length=60)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20)
    opened_at = models.DateTimeField(_("opened at"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_by = models.ForeignKey(
        Inspection,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="closed",
        verbose_name=_("closed by inspection"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["status", "deadline"], name="rect_status_deadline"),
            models.Index(fields=["region", "status", "deadline"], name="rect_region_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(status="open"), name="one_open_rectification"
            )
        ]


class DisinfectionRecord(models.Model):
    """Disinfection of a public place or a route (a bus line, a street) as done."""

    class Kind(models.TextChoices):
        PLACE = "place", _("Public place")
        ROUTE = "route", _("Route")
        TERMINAL = "terminal", _("Terminal disinfection")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    venue = models.ForeignKey(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
    )
    target = models.CharField(_("place or route"), max_length=200)
    agent = models.CharField(_("disinfectant"), max_length=100)
    done_at = models.DateTimeField(_("done at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("disinfection record")
        verbose_name_plural = _("disinfection records")
        indexes = [models.Index(fields=["region", "-done_at"], name="disinfection_region_time")]


class DisinfectionTask(models.Model):
    """Terminal disinfection of one place on a case's trajectory, or of its home, raised by
    the platform for the responsible unit and closed with photo evidence."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    case = models.ForeignKey(
        "tracing.Case", models.PROTECT, related_name="+", verbose_name=_("case")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    venue = models.ForeignKey(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
    )
    target = models.CharField(_("place"), max_length=200)
    assignee = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    source_key = models.CharField(_("raised from"), max_length=80, unique=True)
    raised_at = models.DateTimeField(_("raised at"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    record = models.OneToOneField(
        DisinfectionRecord,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="task",
        verbose_name=_("disinfection record"),
    )
    evidence = models.FileField(
        _("evidence"), upload_to="prevention/disinfection/%Y/%m/", max_length=300, blank=True
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("disinfection task")
        verbose_name_plural = _("disinfection tasks")
        indexes = [
            models.Index(fields=["region", "status", "deadline"], name="dtask_region_status")
        ]


class KeyStaff(models.Model):
    """A person in a key position (policy `key_positions`: cold chain, port, medical,
    transport, care home ...), tested every interval: when due they go on testing's
    priority list; still untested past the policy's grace, a health-code fact."""

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    # The unit's region: the unit's county keeps its staff's testing.
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    unit = models.ForeignKey(
        PreventionUnit, models.CASCADE, related_name="key_staff", verbose_name=_("unit")
    )
    position = models.CharField(_("key position"), max_length=32)
    next_due_at = models.DateTimeField(_("next test due"))
    last_tested_at = models.DateTimeField(_("last tested"), null=True, blank=True)
    # When the due test was put on the priority-testing list, and under which key.
    listed_at = models.DateTimeField(_("listed for testing at"), null=True, blank=True)
    listed_key = models.CharField(_("listed for testing as"), max_length=80, blank=True)
    overdue_since = models.DateTimeField(_("test overdue since"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("key staff member")
        verbose_name_plural = _("key staff")
        indexes = [
            models.Index(fields=["next_due_at"], name="keystaff_due"),
            models.Index(fields=["region", "next_due_at"], name="keystaff_region_due"),
        ]
        constraints = [models.UniqueConstraint(fields=["person", "position"], name="keystaff_once")]
