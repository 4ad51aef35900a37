"""Contacts, the co-presence candidates they are confirmed from, and persons exposed to a
positive place or goods."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region, User

from .cases import Case


class Degree(models.TextChoices):
    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Secondary contact")
    GENERAL = "general", _("General contact")


class Setting(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    WORKPLACE = "workplace", _("Workplace")
    SCHOOL = "school", _("School")
    VEHICLE = "vehicle", _("Vehicle")
    VENUE = "venue", _("Public place")
    MEAL = "meal", _("Shared meal")
    MEDICAL = "medical", _("Medical care")
    OTHER = "other", _("Other")


class FoundBy(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    HOUSEHOLD = "household", _("Household member")
    COPRESENCE = "copresence", _("Place-code co-presence")
    CHECKPOINT = "checkpoint", _("Checkpoint or vehicle record")
    WORKPLACE = "workplace", _("Workplace companion")
    REFERRAL = "referral", _("Referral from another region")


class Contact(models.Model):
    """A person exposed to a case (close, general) or to a close contact (secondary).
    Scoped by the contact's own region of residence: the county that must control them
    sees them; the investigating county sees the ones it found in its own scope and the
    others through their referrals."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        NOTIFIED = "notified", _("Notified")
        CONTROLLED = "controlled", _("Under control")
        RELEASED = "released", _("Released from control")

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    # The case this contact traces back to; for a secondary contact, the case of the
    # close contact it came through.
    case = models.ForeignKey(Case, models.CASCADE, related_name="contacts", verbose_name=_("case"))
    # A secondary contact's source is a close contact; everyone else's is the case.
    source_contact = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="secondary_contacts",
        verbose_name=_("through contact"),
    )
    degree = models.CharField(_("degree"), max_length=10, choices=Degree.choices)
    setting = models.CharField(_("setting"), max_length=10, choices=Setting.choices)
    found_by = models.CharField(_("found by"), max_length=12, choices=FoundBy.choices)
    last_exposure_at = models.DateTimeField(_("last exposure"))
    venue = models.ForeignKey(
        "places.Venue",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place of exposure"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IDENTIFIED
    )
    identified_at = models.DateTimeField(_("identified at"))
    # identified_at + the policy's contact_control_hours: overdue while not controlled.
    control_deadline = models.DateTimeField(_("control by"))
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    controlled_at = models.DateTimeField(_("controlled at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["region", "identified_at"], name="contact_region_time"),
            models.Index(fields=["person", "status"], name="contact_person_status"),
            models.Index(fields=["status", "control_deadline"], name="contact_deadline"),
        ]
        constraints = [
            # One contact record per person and case (a second exposure updates it).
            models.UniqueConstraint(fields=["case", "person"], name="contact_case_person"),
        ]

    def __str__(self):
        return f"{self.get_degree_display()} {self.person_id}"


# Closest first: a second finding never lowers a contact's degree.
CLOSENESS = {Degree.CLOSE: 0, Degree.SECONDARY: 1, Degree.GENERAL: 2}
# Identified or notified: not yet under control (the control deadline runs).
OPEN_CONTACT_STATUSES = (Contact.Status.IDENTIFIED, Contact.Status.NOTIFIED)


class Candidate(models.Model):
    """A person whose scans overlapped a case's visit at the same place within the policy
    window: the epidemiologist confirms them as a close or general contact, or dismisses
    them. One row per case and person, with the overlap summed over the visits."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        CONFIRMED = "confirmed", _("Confirmed as a contact")
        DISMISSED = "dismissed", _("Dismissed")

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="candidates", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    overlap_minutes = models.PositiveIntegerField(_("overlap (minutes)"))
    visits = models.PositiveSmallIntegerField(_("shared visits"))
    # The place with the longest overlap, and the last moment of overlap anywhere.
    venue = models.ForeignKey(
        "places.Venue", models.PROTECT, related_name="+", verbose_name=_("place")
    )
    last_overlap_at = models.DateTimeField(_("last overlap"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    contact = models.ForeignKey(
        Contact,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    found_at = models.DateTimeField(_("found at"))
    reviewed_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("co-presence candidate")
        verbose_name_plural = _("co-presence candidates")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="candidate_case_person")
        ]

    def __str__(self):
        return f"{self.case_id}: {self.person_id} ({self.overlap_minutes} min)"


class Exposure(models.Model):
    """A person exposed not to a case but to a place or goods found positive: the staff of
    a cold-chain holder that a positive sample's trace reached. The county of the person's
    residence investigates them (test, interview); one found infected is registered as a
    case, and its contacts then follow the contact rules. One row per source and person, so
    a source recorded twice lists nobody twice."""

    class Status(models.TextChoices):
        TO_INVESTIGATE = "open", _("To investigate")
        INVESTIGATED = "done", _("Investigated")

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", db_index=False, verbose_name=_("region")
    )
    # Where it came from, e.g. "coldchain.sample:12:34" (the sample and the holder).
    source_key = models.CharField(_("source key"), max_length=100)
    place = models.CharField(_("place of exposure"), max_length=150)
    reason = models.CharField(_("reason"), max_length=200)
    exposed_at = models.DateTimeField(_("exposed at"))
    found_at = models.DateTimeField(_("found at"))
    status = models.CharField(
        _("status"), max_length=4, choices=Status.choices, default=Status.TO_INVESTIGATE
    )
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    investigated_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("investigated by"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("exposure to a positive place or goods")
        verbose_name_plural = _("exposures to positive places or goods")
        indexes = [models.Index(fields=["region", "status"], name="exposure_region_status")]
        constraints = [
            models.UniqueConstraint(fields=["source_key", "person"], name="exposure_once")
        ]

    def __str__(self):
        return f"{self.place}: {self.person_id}"
