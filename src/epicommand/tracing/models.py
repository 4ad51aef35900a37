"""Epidemiological investigation ("flow survey"): cases and their investigations, the
trajectory of each case over the look-back window, contacts and the co-presence candidates
they are confirmed from, referrals to the county (or city) that owns a contact, and the
who-infected-whom links that clusters are the connected components of."""

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
