"""Regions, units, users, API tokens, the audit log, the platform's notifications and
dashboard counters, the city office's choices of protocol edition and background file
jobs."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import Capability, ScopedQuerySet, capabilities_of


class Region(models.Model):
    """A node of the jurisdiction tree. The code nests: a county's 6 digits, then 3 for the
    township/street, then 3 for the village/community, so every region's code starts with
    its ancestors' scope prefix and scoping is a range scan on the code."""

    class Level(models.IntegerChoices):
        CITY = 1, _("City")
        COUNTY = 2, _("County-level division")
        TOWNSHIP = 3, _("Township / street")
        VILLAGE = 4, _("Village / community")

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent region"),
    )
    is_urban = models.BooleanField(_("urban"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_field = "code"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def scope_prefix(self) -> str:
        # A city's code is 6 digits ending in "00"; its counties share the first four.
        return self.code[:4] if self.level == self.Level.CITY else self.code

    def contains(self, code: str) -> bool:
        return code.startswith(self.scope_prefix)

    def ancestors(self):
        """From the city down to this region, in one query per level at most 4."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class RegionBoundary(models.Model):
    """A region's outline as a GeoJSON geometry (Polygon or MultiPolygon, WGS 84), for the
    maps. Kept apart from Region so that the tree's everyday queries never load it. The demo
    city generates its own; a real city imports its official boundaries."""

    region = models.OneToOneField(
        Region,
        models.CASCADE,
        primary_key=True,
        related_name="boundary",
        verbose_name=_("region"),
    )
    geometry = models.JSONField(_("geometry"))

    class Meta:
        verbose_name = _("region boundary")
        verbose_name_plural = _("region boundaries")

    def __str__(self):
        return str(self.region_id)


class Unit(models.Model):
    """A department or command body: the leading group, its office, the health commission..."""

    class Kind(models.TextChoices):
        LEADING_GROUP = "leading_group", _("Leading group")
        COMMAND_OFFICE = "command_office", _("Leading group office (command office)")
        HEALTH_COMMISSION = "health_commission", _("Health commission")
        CDC = "cdc", _("Center for disease control")
        PUBLIC_SECURITY = "public_security", _("Public security bureau")
        TRANSPORT = "transport", _("Transport bureau")
        MARKET_REGULATION = "market_regulation", _("Market regulation bureau")
        COMMERCE = "commerce", _("Commerce bureau")
        FOREIGN_AFFAIRS = "foreign_affairs", _("Foreign affairs office")
        EDUCATION = "education", _("Education bureau")
        CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs bureau")
        DISCIPLINE_INSPECTION = "discipline_inspection", _("Discipline inspection commission")
        TOWNSHIP_GOVERNMENT = "township_government", _("Township / street office")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="one_unit_of_a_kind_per_region")
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    CITY_OFFICE = "city_office", _("City command office")
    COUNTY_OFFICE = "county_office", _("County command office")
    EPIDEMIOLOGIST = "epidemiologist", _("Epidemiologist")
    SAMPLING_STAFF = "sampling_staff", _("Sampling-site staff")
    LAB_STAFF = "lab_staff", _("Lab staff")
    CLINICIAN = "clinician", _("Fever-clinic doctor")
    QUARANTINE_STAFF = "quarantine_staff", _("Quarantine-site staff")
    CHECKPOINT_OFFICER = "checkpoint_officer", _("Checkpoint officer")
    PORT_STAFF = "port_staff", _("Port and transfer staff")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    LEADER = "leader", _("Top leader (party or government)")
    SUPERVISOR = "supervisor", _("Supervisor (discipline inspection)")
    COLDCHAIN_ENTERPRISE = "coldchain_enterprise", _("Cold-chain enterprise staff")
    MARKET_REGULATOR = "market_regulator", _("Market regulator")
    SUPPLY_ENTERPRISE = "supply_enterprise", _("Designated supply enterprise staff")
    VACCINATOR = "vaccinator", _("Vaccination-site staff")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, verbose_name=_("unit"))
    scope_region = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("scope region"),
        help_text=_("The user sees person-level records inside this region only."),
    )
    failed_logins = models.PositiveSmallIntegerField(_("failed logins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    is_person = True  # core.access.require(..., person=True): a person's own account

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def scope_prefix(self) -> str | None:
        return self.scope_region.scope_prefix if self.scope_region_id else None

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.role)

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in self.capabilities

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A credential for a device or an integration. Only its SHA-256 is stored; the
    plaintext is shown once when issued."""

    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, models.PROTECT, verbose_name=_("unit"))
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("scope region"))
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # A token that reads persons the issuer may not read themselves waits for a second
    # person (core.services.approve_api_token); until then it authenticates nothing.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_prefix})"

    # Tokens act like users for scoping, permissions and audit, but are not a person.
    is_person = False
    is_active = property(lambda self: self.revoked_at is None and self.approved_at is not None)
    scope_prefix = property(lambda self: self.region.scope_prefix)

    @property
    def state(self) -> str:
        """live, awaiting_approval or revoked: what the token list shows."""
        if self.revoked_at is not None:
            return "revoked"
        return "live" if self.approved_at is not None else "awaiting_approval"

    capabilities = property(lambda self: capabilities_of(self.role))

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in self.capabilities


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    """One append-only line of who did what to which record. The database refuses
    updates too (a trigger in migration 0002), so the app cannot rewrite history."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_token = models.ForeignKey(
        ApiToken,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor token"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    region = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("region"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_time"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")


class Notification(models.Model):
    """Something a unit must see now (a new task, an emergency report); counted in the
    navigation of the unit's users until one of them opens it."""

    unit = models.ForeignKey(
        Unit, models.CASCADE, related_name="notifications", verbose_name=_("unit")
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["unit", "read_at"], name="notification_unread")]


class Counter(models.Model):
    """A figure the dashboard shows, per region (city and each county) and day, kept
    current by the services that change it, so that the dashboard never counts big tables.
    `day` is the Asia/Shanghai date; running totals use the day they were last written."""

    region = models.ForeignKey(Region, models.CASCADE, verbose_name=_("region"))
    metric = models.CharField(_("metric"), max_length=48)
    day = models.DateField(_("day"))
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["region", "metric", "day"], name="one_counter_a_day")
        ]


__all__ = [
    "ApiToken",
    "AuditEvent",
    "Counter",
    "EditionChoice",
    "Notification",
    "Region",
    "RegionBoundary",
    "Role",
    "ScopedQuerySet",
    "Unit",
    "User",
]


class FollowUp(models.Model):
    """Work another module does in reaction to a change, after the change commits: one row
    per change (core.followups). Its state is what the user who made the change sees."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=80)  # "tracing.case:12"
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    # The time of the change: the work is done as of then (a demo seeded in the past too).
    changed_at = models.DateTimeField(_("changed at"))
    queued_at = models.DateTimeField(_("queued at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # How many persons the work covers, when the change knows it (a risk area: the persons
    # whose codes are recomputed); 0 when it does not say.
    persons = models.PositiveIntegerField(_("persons concerned"), default=0)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["subject", "kind"], name="followup_subject")]

    def __str__(self):
        return f"{self.kind} {self.subject} {self.state}"


class EditionChoice(models.Model):
    """The city office's choice of protocol edition, in force from a moment on until a later
    choice takes over (core.policy reads them; before the first, the PROTOCOL_EDITION
    setting applies). Choices are never edited: a change of mind is a new choice."""

    edition = models.CharField(_("protocol edition"), max_length=4)
    in_force_from = models.DateTimeField(_("in force from"), db_index=True)
    reason = models.CharField(_("reason"), max_length=500)
    chosen_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("chosen by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("edition choice")
        verbose_name_plural = _("edition choices")

    def __str__(self):
        return f"{self.edition} from {self.in_force_from:%Y-%m-%d %H:%M}"


class FileJob(models.Model):
    """An export or an import too big for one request, done by the worker (core.filejobs):
    its progress is what the user who asked sees, and an export's file, kept under var/,
    is downloaded by that user only, until it expires."""

    class Direction(models.TextChoices):
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    kind = models.CharField(_("kind"), max_length=60)
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    owner = models.ForeignKey(
        User, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    owner_token = models.ForeignKey(
        ApiToken,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner token"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    # The file under var/files/ (an export's result, an import's upload), by a random name.
    path = models.CharField(_("file"), max_length=100, blank=True)
    filename = models.CharField(_("file name"), max_length=100)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("background file job")
        verbose_name_plural = _("background file jobs")
        indexes = [
            models.Index(fields=["owner", "created_at"], name="filejob_owner"),
            models.Index(fields=["state", "expires_at"], name="filejob_expiry"),
        ]

    def __str__(self):
        return f"{self.direction} {self.kind} {self.state}"


class TwoFactorDevice(models.Model):
    """A user's authenticator (core.twofactor): the TOTP secret, encrypted with a key
    derived from SECRET_KEY and shown only while enrolling; confirmed once the user typed a
    code from it. `last_step` is the time step of the last code accepted: a code is never
    accepted twice, nor one older than it."""

    user = models.OneToOneField(
        User, models.CASCADE, related_name="two_factor", verbose_name=_("user")
    )
    secret_encrypted = models.TextField(_("secret (encrypted)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last time step used"), default=0)

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")

    def __str__(self):
        return str(self.user_id)


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator (a lost phone). Only a salted
    SHA-256 of it is kept; it is shown once, when made, and used up when used."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    salt = models.CharField(_("salt"), max_length=32)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=["user", "used_at"], name="recovery_code_unused")]
