"""Medical materials: the catalogue, the warehouses, procurement orders and their
deliveries, stock by lot and expiry, and the requests of the places that use them, with
the lots each request was allocated from. Stock is never negative: a lot's `on_hand`
falls only through a conditional UPDATE (services.requests) and the database checks it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region


class Item(models.Model):
    """A catalogue item (N95 masks, swabs, reagent ...), counted in its unit."""

    class Code(models.TextChoices):
        N95_MASK = "n95_mask", _("N95 mask")
        SURGICAL_MASK = "surgical_mask", _("Surgical mask")
        PROTECTIVE_SUIT = "protective_suit", _("Protective suit")
        GOGGLES = "goggles", _("Goggles")
        GLOVES = "gloves", _("Gloves (pair)")
        SWAB = "swab", _("Swab")
        SAMPLING_TUBE = "sampling_tube", _("Sampling tube")
        REAGENT = "reagent", _("Nucleic-acid reagent (tests)")
        DISINFECTANT = "disinfectant", _("Disinfectant (litres)")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    unit = models.CharField(_("unit"), max_length=20)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["id"]

    def __str__(self):
        return self.get_code_display()


class Warehouse(models.Model):
    """A materials warehouse of the city or a district; it serves the places in its region."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("materials warehouse")
        verbose_name_plural = _("materials warehouses")

    def __str__(self):
        return self.name


class PurchaseOrder(models.Model):
    warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, related_name="orders", verbose_name=_("warehouse")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    number = models.CharField(_("order number"), max_length=40, unique=True)
    supplier = models.CharField(_("supplier"), max_length=150)
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ordered by"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("procurement order")
        verbose_name_plural = _("procurement orders")


class OrderLine(models.Model):
    order = models.ForeignKey(
        PurchaseOrder, models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.PositiveIntegerField(_("quantity ordered"))
    delivered = models.PositiveIntegerField(_("quantity delivered"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "item"], name="order_item_once"),
            models.CheckConstraint(
                condition=Q(delivered__lte=F("quantity")), name="delivered_within_order"
            ),
        ]


class Delivery(models.Model):
    order = models.ForeignKey(
        PurchaseOrder, models.PROTECT, related_name="deliveries", verbose_name=_("order")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")


class Lot(models.Model):
    """A lot of an item in a warehouse, as delivered: `received` never changes, `on_hand`
    is what is left after allocations (received = on hand + allocated from it)."""

    item = models.ForeignKey(Item, models.PROTECT, related_name="lots", verbose_name=_("item"))
    warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, related_name="lots", verbose_name=_("warehouse")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    delivery = models.ForeignKey(
        Delivery, models.PROTECT, related_name="lots", verbose_name=_("delivery")
    )
    lot_number = models.CharField(_("lot number"), max_length=40)
    expires_on = models.DateField(_("expires on"))
    received = models.PositiveIntegerField(_("quantity received"))
    on_hand = models.PositiveIntegerField(_("quantity on hand"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "item", "lot_number"], name="lot_once_a_warehouse"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0, on_hand__lte=F("received")), name="lot_stock_bounds"
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "item", "expires_on"], name="lot_first_expiry")
        ]


class MaterialRequest(models.Model):
    """What a place that uses materials asks its warehouse for: approved (per line, maybe
    less), allocated from lots (earliest expiry first), confirmed by the place on delivery."""

    class Place(models.TextChoices):
        SAMPLING_SITE = "sampling_site", _("Sampling site")
        LAB = "lab", _("Laboratory")
        QUARANTINE_SITE = "quarantine_site", _("Quarantine site")
        HOSPITAL = "hospital", _("Hospital")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        ALLOCATED = "allocated", _("Allocated, on its way")
        DELIVERED = "delivered", _("Delivered")
        REFUSED = "refused", _("Refused")

    warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, related_name="requests", verbose_name=_("warehouse")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("region of the place")
    )
    place_kind = models.CharField(_("kind of place"), max_length=16, choices=Place.choices)
    place_name = models.CharField(_("place"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.CharField(_("submitted by"), max_length=150)
    decided_at = models.DateTimeField(_("approved or refused at"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivery confirmed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("materials request")
        verbose_name_plural = _("materials requests")
        indexes = [models.Index(fields=["warehouse", "status"], name="request_queue")]


class RequestLine(models.Model):
    request = models.ForeignKey(
        MaterialRequest, models.CASCADE, related_name="lines", verbose_name=_("request")
    )
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.PositiveIntegerField(_("quantity asked"))
    approved = models.PositiveIntegerField(_("quantity approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "item"], name="request_item_once"),
            models.CheckConstraint(
                condition=Q(approved__isnull=True) | Q(approved__lte=F("quantity")),
                name="approved_within_asked",
            ),
        ]


class Allocation(models.Model):
    """Part of a request line taken from one lot."""

    line = models.ForeignKey(
        RequestLine, models.CASCADE, related_name="allocations", verbose_name=_("request line")
    )
    lot = models.ForeignKey(Lot, models.PROTECT, related_name="allocations", verbose_name=_("lot"))
    quantity = models.PositiveIntegerField(_("quantity"))
    allocated_at = models.DateTimeField(_("allocated at"), default=timezone.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_positive")
        ]
