"""Public information: the daily bulletin (a version per correction, signed in stages,
never changed once published), press conferences, rumours and their refutations, and
prevention articles."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region


class PublishedBulletinChanged(Exception):
    """A published bulletin never changes: a correction is a new version."""


class Bulletin(models.Model):
    """One version of the bulletin of a day ("day X 0-24 h"). Drafted from the registry,
    checked, signed in the policy's stages and published; version 2 and later correct
    the version before and say why."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    day = models.DateField(_("day"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The registry's figures at the cut-off (city, counties, villages, severity, risk-area
    # changes) and the sums that failed; see information.figures.
    figures = models.JSONField(_("figures"), default=dict)
    mismatches = models.JSONField(_("mismatches"), default=list)
    window_start = models.DateTimeField(_("counted from"))
    window_end = models.DateTimeField(_("counted until"))
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("daily bulletin")
        verbose_name_plural = _("daily bulletins")
        ordering = ["-day", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["day", "version"], name="bulletin_day_version")
        ]
        indexes = [models.Index(fields=["status", "day"], name="bulletin_status_day")]

    def __str__(self):
        return f"{self.day} v{self.version}"

    def save(self, *args, **kwargs):
        # The last guard behind the services: a row stored as published is never written.
        if self.pk and Bulletin.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise PublishedBulletinChanged(self.pk)
        super().save(*args, **kwargs)

    @property
    def published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Signature(models.Model):
    """A stage of a bulletin's sign-off, signed by a person."""

    bulletin = models.ForeignKey(
        Bulletin, models.CASCADE, related_name="signatures", verbose_name=_("bulletin")
    )
    stage = models.CharField(_("stage"), max_length=20)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("bulletin signature")
        verbose_name_plural = _("bulletin signatures")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "stage"], name="signature_stage_once")
        ]


class PressConference(models.Model):
    """A numbered press conference and the bulletins it released."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    held_at = models.DateTimeField(_("held at"))
    title = models.CharField(_("title"), max_length=200)
    bulletins = models.ManyToManyField(
        Bulletin, related_name="press_conferences", blank=True, verbose_name=_("bulletins")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("press conference")
        verbose_name_plural = _("press conferences")
        ordering = ["-number"]


class Rumour(models.Model):
    """A claim circulating in public, reported by a resident (the public form) or by
    monitoring staff; ruled on by a reviewer of its region, refuted beside the bulletin,
    and referred to public security when it calls for it."""

    class Source(models.TextChoices):
        PUBLIC = "public", _("Reported by the public")
        MONITORING = "monitoring", _("Found by monitoring staff")

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting a ruling")
        FALSE = "false", _("False: a rumour")
        TRUE = "true", _("True: not a rumour")
        UNVERIFIABLE = "unverifiable", _("Cannot be verified")

    class Referral(models.TextChoices):
        NONE = "", _("Not referred")
        REFERRED = "referred", _("Referred to public security")
        WARNED = "warned", _("Warned")
        FINED = "fined", _("Fined")
        DETAINED = "detained", _("Administrative detention")
        NO_ACTION = "no_action", _("No action taken")

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    claim = models.TextField(_("claim"))
    where_seen = models.CharField(_("where it was seen"), max_length=200)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
    screenshot = models.FileField(
        _("screenshot"), upload_to="information/rumours/%Y/%m/", blank=True
    )
    # Where it circulates: the county (or the city) whose reviewers rule on it.
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    ruling = models.TextField(_("ruling"), blank=True)
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ruled by"),
    )
    refutation = models.TextField(_("refutation"), blank=True)
    refuted_at = models.DateTimeField(_("refutation published at"), null=True, blank=True)
    referral = models.CharField(
        _("referral"), max_length=12, choices=Referral.choices, blank=True, default=""
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referral_note = models.CharField(_("referral outcome"), max_length=500, blank=True)
    referral_closed_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("rumour")
        verbose_name_plural = _("rumours")
        indexes = [
            models.Index(fields=["status", "region"], name="rumour_status_region"),
            models.Index(fields=["refuted_at"], name="rumour_refuted"),
        ]

    def __str__(self):
        return self.claim[:60]


class Article(models.Model):
    """A prevention article, in Chinese or English: plain text (blank lines part
    paragraphs, lines starting "- " make a list), escaped on the page."""

    class Language(models.TextChoices):
        CHINESE = "zh-hans", _("Chinese")
        ENGLISH = "en", _("English")

    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("prevention article")
        verbose_name_plural = _("prevention articles")
        indexes = [models.Index(fields=["language", "published_at"], name="article_published")]

    def __str__(self):
        return self.title
