"""An enterprise's daily report of stock and prices, and the alerts the policy's rules
raise from it (core.policy_supplies), written in the report's transaction.

The rules, per district and commodity: the day's average retail price more than
`price_rise_day_percent` above the day before's, or more than `price_rise_baseline_percent`
above the pre-outbreak baseline; an enterprise's margin above the district's pre-outbreak
margin plus `margin_over_baseline_points`; the stock reported that day under `min_stock_days`
of the district's consumption (its registered population times the kilograms a person
eats a day). Each alert is raised once a day; the command office turns it into a task for
market supervision (supplies.alerts, a command.alerts producer)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require

from .. import queries
from ..models import Commodity, PriceAlert, PriceReport, SupplyEnterprise
from .enterprises import decimal_or_none, own_enterprise

MAX_LINES = len(Commodity.values)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# A report for a day more than this far back is a late correction, not the daily report.
LATEST_BACKDATE_DAYS = 7


@dataclass(frozen=True)
class ReportLine:
    commodity: str
    retail_price: Decimal
    purchase_price: Decimal
    stock_tonnes: Decimal


def _clean_price(value, commodity, field, errors, highest) -> Decimal | None:
    price = decimal_or_none(value)
    if price is None or price <= 0:
        errors[field] = _("a price above 0 yuan/kg")
    elif highest is not None and price > highest:
        errors[field] = _("%(p)s yuan/kg is not a price for %(c)s (at most %(h)s)") % {
            "p": price,
            "c": Commodity(commodity).label if commodity in Commodity.values else commodity,
            "h": highest,
        }
    else:
        return price.quantize(CENT)
    return None


def clean_lines(lines, rules) -> list[ReportLine]:
    """The report's lines, or ValidationError naming `lines[i].field` for each fault."""
    errors: dict[str, str] = {}
    if not isinstance(lines, list | tuple) or not lines:
        raise ValidationError({"lines": _("give at least one commodity")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("at most one line per commodity")})
    cleaned, seen = [], set()
    for i, line in enumerate(lines):
        at = f"lines[{i}]"
        commodity = str(line.get("commodity", ""))
        if commodity not in Commodity.values:
            errors[f"{at}.commodity"] = _("choose one of: %(c)s") % {
                "c": ", ".join(Commodity.values)
            }
        elif commodity in seen:
            errors[f"{at}.commodity"] = _("this commodity is already in the report")
        seen.add(commodity)
        highest = rules.highest_price.get(commodity)
        retail = _clean_price(
            line.get("retail_price"), commodity, f"{at}.retail_price", errors, highest
        )
        purchase = _clean_price(
            line.get("purchase_price"), commodity, f"{at}.purchase_price", errors, highest
        )
        stock = decimal_or_none(line.get("stock_tonnes"))
        if stock is None or stock < 0:
            errors[f"{at}.stock_tonnes"] = _("a stock of 0 tonnes or more")
        elif stock > rules.highest_stock_tonnes:
            errors[f"{at}.stock_tonnes"] = _("%(s)s tonnes is more than one enterprise holds") % {
                "s": stock
            }
        if (
            f"{at}.commodity" not in errors
            and retail
            and purchase
            and f"{at}.stock_tonnes" not in errors
        ):
            cleaned.append(ReportLine(commodity, retail, purchase, stock.quantize(CENT)))
    if errors:
        raise ValidationError(errors)
    return cleaned


def report_day(actor, *, day: date | None = None, lines, now: datetime | None = None):
    """A designated enterprise reports its stock and prices for a day (today by default);
    a second report the same day replaces the lines it names. All lines or none."""
    require(actor, Capability.REPORT_SUPPLIES)
    enterprise = own_enterprise(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = day or today
    rules = policy.active().supplies
    errors = {}
    if not isinstance(day, date) or day > today:
        errors["day"] = _("a day not in the future")
    elif day < today - timedelta(days=LATEST_BACKDATE_DAYS):
        errors["day"] = _("at most %(n)d days back") % {"n": LATEST_BACKDATE_DAYS}
    try:
        cleaned = clean_lines(lines, rules)
    except ValidationError as refused:
        errors.update(refused.message_dict)
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.REPORT_SUPPLIES, region=enterprise.region_id)
    with transaction.atomic():
        reports = [
            PriceReport.objects.update_or_create(
                enterprise=enterprise,
                commodity=line.commodity,
                day=day,
                defaults={
                    "region_id": enterprise.region_id,
                    "retail_price": line.retail_price,
                    "purchase_price": line.purchase_price,
                    "stock_tonnes": line.stock_tonnes,
                    "reported_at": now,
                },
            )[0]
            for line in cleaned
        ]
        audit.record(
            actor,
            "supplies.report",
            enterprise,
            reason=f"{day}: " + ", ".join(line.commodity for line in cleaned),
        )
        alerts = evaluate(enterprise, [line.commodity for line in cleaned], day, now=now)
    return reports, alerts


def _rise_percent(value: Decimal, before: Decimal) -> Decimal:
    return ((value - before) / before * HUNDRED).quantize(CENT)


def evaluate(enterprise: SupplyEnterprise, commodities, day: date, *, now) -> list[PriceAlert]:
    """The alerts the day's figures of the enterprise's district raise for these
    commodities (and its own margins); each rule once a day."""
    rules = policy.active().supplies
    district = enterprise.region_id
    figures = queries.district_figures(district, commodities, day)
    before = queries.district_figures(district, commodities, day - timedelta(days=1))
    baselines = queries.baselines(district, commodities)
    consumption = queries.daily_consumption([district], day).get(district, {})
    found = []

    def alert(commodity, rule, value, limit, by=None):
        found.append(
            PriceAlert(
                region_id=district,
                commodity=commodity,
                day=day,
                rule=rule,
                enterprise=by,
                value=value,
                limit=limit,
                raised_at=now,
            )
        )

    for commodity in commodities:
        today = figures.get(commodity)
        if today is None:
            continue
        price = today.retail_price
        yesterday = before.get(commodity)
        if yesterday is not None:
            rise = _rise_percent(price, yesterday.retail_price)
            if rise > rules.price_rise_day_percent:
                alert(commodity, PriceAlert.Rule.DAY_ON_DAY, rise, rules.price_rise_day_percent)
        baseline = baselines.get(commodity)
        if baseline is not None:
            rise = _rise_percent(price, baseline.retail_price)
            if rise > rules.price_rise_baseline_percent:
                alert(commodity, PriceAlert.Rule.BASELINE, rise, rules.price_rise_baseline_percent)
        daily = consumption.get(commodity)
        if daily:
            days = (today.stock_tonnes / daily).quantize(CENT)
            if days < rules.min_stock_days:
                alert(commodity, PriceAlert.Rule.LOW_STOCK, days, Decimal(rules.min_stock_days))
    for report in PriceReport.objects.filter(
        enterprise=enterprise, commodity__in=commodities, day=day
    ):
        baseline = baselines.get(report.commodity)
        if baseline is None:
            continue
        margin = _rise_percent(report.retail_price, report.purchase_price)
        limit = baseline.margin_percent + rules.margin_over_baseline_points
        if margin > limit:
            alert(report.commodity, PriceAlert.Rule.MARGIN, margin, limit, by=enterprise)
    if found:
        PriceAlert.objects.bulk_create(found, ignore_conflicts=True)
        audit.record(
            None,
            "supplies.alert",
            enterprise,
            reason="; ".join(f"{a.commodity} {a.rule} {a.value}" for a in found)[:300],
        )
    return found
