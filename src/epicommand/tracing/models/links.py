"""Referrals to the county (or city) that owns a contact, and the who-infected-whom links
that clusters are the connected components of."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, User

from .cases import Case
from .contacts import Contact, Degree, Setting


class Referral(models.Model):
    """A contact who lives outside the investigating user's scope, handed to the county that
    owns them (its inbox) or, outside the city, exported and posted to the configured
    webhook until acknowledged. Unacknowledged past `ack_deadline`, it escalates to the
    city office. Scoped by the receiving region; the sender reads its own through
    `from_region` (queries)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, awaiting acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ESCALATED = "escalated", _("Escalated to the city office")

    contact = models.ForeignKey(
        Contact,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("contact"),
    )
    case = models.ForeignKey(Case, models.CASCADE, related_name="referrals", verbose_name=_("case"))
    # The receiving county inside the city; for a referral outside the city, the region
    # of the sender (so the sender's office keeps seeing it) and `destination_code` names
    # where it goes.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    from_region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("from")
    )
    is_external = models.BooleanField(_("outside the city"), default=False)
    destination_code = models.CharField(_("destination code"), max_length=12, blank=True)
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    # Who, as the receiving side needs them (an outside-city person has no row of ours).
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    degree = models.CharField(_("degree"), max_length=10, choices=Degree.choices)
    last_exposure_at = models.DateTimeField(_("last exposure"))
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    ack_deadline = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Webhook delivery (outside the city).
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.CharField(_("last delivery error"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["region", "status"], name="referral_region_status"),
            models.Index(fields=["status", "ack_deadline"], name="referral_deadline"),
            models.Index(fields=["next_attempt_at"], name="referral_next_attempt"),
        ]

    def __str__(self):
        return f"{self.name} → {self.destination or self.region_id}"


class InfectionLink(models.Model):
    """Who infected whom, as the epidemiologist judges it (or as a case that was already
    a contact of another case suggests it)."""

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed (sequencing or clear exposure)")
        PROBABLE = "probable", _("Probable")
        POSSIBLE = "possible", _("Possible")

    source = models.ForeignKey(
        Case, models.CASCADE, related_name="infected", verbose_name=_("infected by")
    )
    target = models.ForeignKey(
        Case, models.CASCADE, related_name="infected_by", verbose_name=_("infected")
    )
    # The target's region: the link is part of the infected case's record.
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    setting = models.CharField(_("setting"), max_length=10, choices=Setting.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("transmission link")
        verbose_name_plural = _("transmission links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="link_source_target"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_id}"


class Cluster(models.Model):
    """A connected component of case-contact-case links, kept current by the server
    (services.clusters). `region` is the smallest region holding all its cases, so a
    county sees a cluster of its own; one that spans counties belongs to the city."""

    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    label = models.CharField(_("name"), max_length=100, blank=True)
    cases_count = models.PositiveIntegerField(_("cases"), default=0)
    contacts_count = models.PositiveIntegerField(_("contacts"), default=0)
    first_onset = models.DateField(_("first onset"), null=True, blank=True)
    last_onset = models.DateField(_("latest onset"), null=True, blank=True)
    # [{"case": id, "why": "..."}] and [{"venue": id, "name": "...", "cases": n}]
    index_cases = models.JSONField(_("likely index cases"), default=list)
    shared_venues = models.JSONField(_("shared places"), default=list)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        indexes = [models.Index(fields=["region", "cases_count"], name="cluster_region_size")]

    def __str__(self):
        return self.label or _("Cluster %(n)s") % {"n": self.pk}
