"""Imported cold-chain food: the enterprises that hold it, the batches a first stop codes,
the certificates a batch needs before it is coded, each holder's stock of a batch, the
events of the chain (kept in the shape of GS1 EPCIS 2.0: what, when, where, why) and the
samples found positive."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import ApiToken, Region


class Enterprise(models.Model):
    """A business in the cold chain, registered by the market regulator of its region."""

    class Kind(models.TextChoices):
        FIRST_STOP = "first_stop", _("First-stop importer")
        COLD_STORE = "cold_store", _("Cold store")
        WHOLESALER = "wholesaler", _("Wholesaler")
        PROCESSOR = "processor", _("Processor")
        RETAILER = "retailer", _("Retailer")

    name = models.CharField(_("name"), max_length=150)
    # The unified social credit code (18 characters) every Chinese business carries.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("cold-chain enterprise")
        verbose_name_plural = _("cold-chain enterprises")
        indexes = [models.Index(fields=["region", "kind"], name="enterprise_region")]

    def __str__(self):
        return self.name


class EnterpriseStaff(models.Model):
    """A person working at an enterprise: who is tested and traced when its goods are
    found positive."""

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="staff", verbose_name=_("enterprise")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    job = models.CharField(_("job"), max_length=60, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the enterprise")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("enterprise staff member")
        verbose_name_plural = _("enterprise staff")
        constraints = [models.UniqueConstraint(fields=["enterprise", "person"], name="staff_once")]


class EnterpriseAccount(models.Model):
    """Binds a user account or an API token to the one enterprise it acts for: an
    enterprise account records only its own enterprise's receipts and dispatches."""

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="accounts", verbose_name=_("enterprise")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="coldchain_account",
        verbose_name=_("user"),
    )
    token = models.OneToOneField(
        ApiToken,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="coldchain_account",
        verbose_name=_("API token"),
    )

    class Meta:
        verbose_name = _("enterprise account")
        verbose_name_plural = _("enterprise accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, token__isnull=True)
                | Q(user__isnull=True, token__isnull=False),
                name="account_is_user_or_token",
            )
        ]


class Batch(models.Model):
    """A batch of imported cold-chain food as its first stop declares it. It gets its trace
    code only when its three certificates are attached and valid ("first-stop coding")."""

    first_stop = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="batches", verbose_name=_("first stop")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the first stop")
    )
    product = models.CharField(_("product"), max_length=100)
    specification = models.CharField(_("specification"), max_length=100)
    origin_country = models.CharField(_("country of origin"), max_length=60)
    batch_number = models.CharField(_("batch number"), max_length=60)
    container_number = models.CharField(_("container number"), max_length=20)
    seal_number = models.CharField(_("seal number"), max_length=30)
    customs_declaration = models.CharField(_("customs declaration number"), max_length=30)
    quantity = models.PositiveIntegerField(_("quantity (packages)"))
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=2)
    code_nonce = models.CharField(_("trace code nonce"), max_length=16, blank=True)
    coded_at = models.DateTimeField(_("coded at"), null=True, blank=True)
    # The first time stock of the batch was sealed anywhere (shown on the public page).
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    # Records are kept the policy's years (coldchain_record_years) after the batch is coded.
    keep_until = models.DateField(_("keep records until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("cold-chain batch")
        verbose_name_plural = _("cold-chain batches")
        constraints = [
            models.UniqueConstraint(
                fields=["first_stop", "customs_declaration", "batch_number"],
                name="batch_declared_once",
            )
        ]

    def __str__(self):
        return f"{self.product} {self.batch_number}"


class Certificate(models.Model):
    """One of the three documents a batch needs before it is coded."""

    class Kind(models.TextChoices):
        CUSTOMS = "customs", _("Customs inspection and quarantine certificate")
        NUCLEIC_ACID = "nucleic_acid", _("Negative nucleic-acid test report")
        DISINFECTION = "disinfection", _("Disinfection certificate")

    batch = models.ForeignKey(
        Batch, models.CASCADE, related_name="certificates", verbose_name=_("batch")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    issued_on = models.DateField(_("issued (or sampled) on"))
    valid_until = models.DateField(_("valid until"))
    file = models.FileField(_("file"), upload_to="coldchain/certificates/%Y/%m/", max_length=300)
    content_type = models.CharField(_("content type"), max_length=40)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind"], name="one_certificate_a_kind")
        ]


class Holding(models.Model):
    """What one enterprise holds of one batch: received in, dispatched and sold out. The
    database refuses stock below zero too, whatever the services do."""

    batch = models.ForeignKey(
        Batch, models.CASCADE, related_name="holdings", verbose_name=_("batch")
    )
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="holdings", verbose_name=_("enterprise")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the holder")
    )
    received = models.PositiveIntegerField(_("received"), default=0)
    dispatched = models.PositiveIntegerField(_("dispatched"), default=0)
    sold = models.PositiveIntegerField(_("sold"), default=0)
    on_hand = models.IntegerField(_("on hand"), default=0)
    sealed = models.PositiveIntegerField(_("sealed"), default=0)
    first_received_at = models.DateTimeField(_("first received at"), null=True, blank=True)
    # Set when a positive sample upstream seals this holder's stock: what it holds and what
    # reaches it later is sealed, and nothing of the batch leaves it.
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.UniqueConstraint(fields=["batch", "enterprise"], name="one_holding"),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0)
                & Q(on_hand=F("received") - F("dispatched") - F("sold") - F("sealed")),
                name="stock_is_never_negative",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "batch"], name="holding_enterprise")]


class ChainEvent(models.Model):
    """One event of the chain as GS1 EPCIS 2.0 shapes it: what (the batch and a quantity),
    when (event time), where (the business location, with the source and destination of a
    shipment) and why (business step and disposition, from the CBV vocabulary)."""

    class Step(models.TextChoices):
        COMMISSIONING = "commissioning", _("First-stop coding")
        SHIPPING = "shipping", _("Dispatch")
        RECEIVING = "receiving", _("Receipt")
        RETAIL_SELLING = "retail_selling", _("Sale")
        HOLDING = "holding", _("Sealed")

    class Disposition(models.TextChoices):
        ACTIVE = "active", _("active")
        IN_TRANSIT = "in_transit", _("in transit")
        IN_PROGRESS = "in_progress", _("in stock")
        RETAIL_SOLD = "retail_sold", _("sold")
        NON_SELLABLE = "non_sellable_other", _("sealed")

    event_id = models.UUIDField(_("event id"), unique=True)
    biz_step = models.CharField(_("business step"), max_length=16, choices=Step.choices)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    event_time = models.DateTimeField(_("event time"))
    record_time = models.DateTimeField(_("record time"), default=timezone.now)
    batch = models.ForeignKey(Batch, models.CASCADE, related_name="events", verbose_name=_("batch"))
    quantity = models.PositiveIntegerField(_("quantity"))
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="events", verbose_name=_("business location")
    )
    source = models.ForeignKey(
        Enterprise,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    destination = models.ForeignKey(
        Enterprise,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination"),
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the location")
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("chain event")
        verbose_name_plural = _("chain events")
        ordering = ["event_time", "id"]
        indexes = [
            # The trace-forward walk: dispatches out of one holder of one batch.
            models.Index(fields=["enterprise", "batch", "biz_step"], name="chainevent_walk"),
            # ... and the way back: dispatches into one holder of one batch.
            models.Index(fields=["destination", "batch"], name="chainevent_back"),
            models.Index(fields=["batch", "event_time"], name="chainevent_batch"),
        ]


class PositiveSample(models.Model):
    """A sample found positive: of a product, of its package, or of an environment (a
    market stall, a cold store's floor). It starts the trace forward."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        PACKAGE = "package", _("Outer package")
        ENVIRONMENT = "environment", _("Environment")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="+", verbose_name=_("where it was taken")
    )
    batch = models.ForeignKey(
        Batch, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("batch")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    sampled_at = models.DateTimeField(_("sampled at"))
    lab_report = models.CharField(_("lab report number"), max_length=60)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    batches_sealed = models.PositiveIntegerField(_("batches sealed"), default=0)
    packages_sealed = models.PositiveIntegerField(_("packages sealed"), default=0)
    staff_listed = models.PositiveIntegerField(_("staff listed for testing"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("positive sample")
        verbose_name_plural = _("positive samples")
