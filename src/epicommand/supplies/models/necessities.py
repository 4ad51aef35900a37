"""Daily necessities: the designated supply enterprises and markets, what each reports a
day per commodity (retail and purchase price, stock), each district's pre-outbreak
baseline, and the alerts the policy's rules raise."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import ApiToken, Region


class Commodity(models.TextChoices):
    RICE = "rice", _("Rice")
    FLOUR = "flour", _("Flour")
    GRAIN_OIL = "grain_oil", _("Grain and oil")
    VEGETABLES = "vegetables", _("Vegetables")
    PORK = "pork", _("Pork")
    EGGS = "eggs", _("Eggs")
    SALT = "salt", _("Salt")


PRICE = dict(max_digits=8, decimal_places=2)
TONNES = dict(max_digits=12, decimal_places=2)


class SupplyEnterprise(models.Model):
    """A designated supply enterprise or market, registered by the market regulator of its
    district; it reports its stock and prices every day."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Designated supply enterprise")
        MARKET = "market", _("Market")

    name = models.CharField(_("name"), max_length=150)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The district (county) it supplies: its reports count there.
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("district"))
    address = models.CharField(_("address"), max_length=200)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("supply enterprise")
        verbose_name_plural = _("supply enterprises")

    def __str__(self):
        return self.name


class SupplyAccount(models.Model):
    """Binds a user account or an API token to the one enterprise it reports for."""

    enterprise = models.ForeignKey(
        SupplyEnterprise, models.CASCADE, related_name="accounts", verbose_name=_("enterprise")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="supply_account",
        verbose_name=_("user"),
    )
    token = models.OneToOneField(
        ApiToken,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="supply_account",
        verbose_name=_("API token"),
    )

    class Meta:
        verbose_name = _("supply enterprise account")
        verbose_name_plural = _("supply enterprise accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, token__isnull=True)
                | Q(user__isnull=True, token__isnull=False),
                name="supply_account_is_user_or_token",
            )
        ]


class PriceReport(models.Model):
    """One enterprise's day for one commodity: its retail and purchase price (yuan/kg) and
    its stock (tonnes). A second report the same day replaces the first."""

    enterprise = models.ForeignKey(
        SupplyEnterprise, models.PROTECT, related_name="reports", verbose_name=_("enterprise")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("district"))
    commodity = models.CharField(_("commodity"), max_length=12, choices=Commodity.choices)
    day = models.DateField(_("day"))
    retail_price = models.DecimalField(_("retail price (yuan/kg)"), **PRICE)
    purchase_price = models.DecimalField(_("purchase price (yuan/kg)"), **PRICE)
    stock_tonnes = models.DecimalField(_("stock (tonnes)"), **TONNES)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("price and stock report")
        verbose_name_plural = _("price and stock reports")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "commodity", "day"], name="report_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(retail_price__gt=0, purchase_price__gt=0, stock_tonnes__gte=0),
                name="report_figures_positive",
            ),
        ]
        indexes = [models.Index(fields=["region", "day", "commodity"], name="report_board")]


class PriceBaseline(models.Model):
    """A district's pre-outbreak retail price and margin for a commodity, set by the
    market regulator: what the alerts compare against."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("district"))
    commodity = models.CharField(_("commodity"), max_length=12, choices=Commodity.choices)
    retail_price = models.DecimalField(_("pre-outbreak retail price (yuan/kg)"), **PRICE)
    margin_percent = models.DecimalField(
        _("pre-outbreak margin (percent)"), max_digits=6, decimal_places=2
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("pre-outbreak price baseline")
        verbose_name_plural = _("pre-outbreak price baselines")
        constraints = [
            models.UniqueConstraint(fields=["region", "commodity"], name="baseline_once")
        ]


class PriceAlert(models.Model):
    """A rule of the policy broken in a district on a day; the command office raises it as
    a task for market supervision (command.alerts)."""

    class Rule(models.TextChoices):
        DAY_ON_DAY = "day_on_day", _("Price rise over the day before")
        BASELINE = "baseline", _("Price rise over the pre-outbreak baseline")
        MARGIN = "margin", _("Margin above the pre-outbreak margin")
        LOW_STOCK = "low_stock", _("Stock under the policy's days of supply")

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("district"))
    commodity = models.CharField(_("commodity"), max_length=12, choices=Commodity.choices)
    day = models.DateField(_("day"))
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices)
    # The enterprise whose margin broke the rule; empty for a district's figure.
    enterprise = models.ForeignKey(
        SupplyEnterprise,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=2)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_id"

    class Meta:
        verbose_name = _("price alert")
        verbose_name_plural = _("price alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "commodity", "day", "rule", "enterprise"],
                name="alert_once_an_enterprise",
            ),
            models.UniqueConstraint(
                fields=["region", "commodity", "day", "rule"],
                condition=Q(enterprise__isnull=True),
                name="alert_once_a_district",
            ),
        ]
        indexes = [models.Index(fields=["day", "region"], name="alert_day")]
