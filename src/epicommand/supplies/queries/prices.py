"""Reads of the necessities: a district's figures of a day, the price board over a span of
days (one grouped query), the trend of a commodity, the public price page."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Sum

from epicommand.core import counters, policy
from epicommand.core.access import region_q, scope_q
from epicommand.core.models import Region

from ..models import Commodity, PriceAlert, PriceBaseline, PriceReport

CENT = Decimal("0.01")
KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class DistrictFigure:
    retail_price: Decimal  # the average of the enterprises' retail prices, yuan/kg
    stock_tonnes: Decimal  # the sum of their stock
    reports: int


def _figure(row) -> DistrictFigure:
    return DistrictFigure(
        Decimal(row["price"]).quantize(CENT), Decimal(row["stock"] or 0), row["reports"]
    )


def district_figures(district: str, commodities, day: date) -> dict[str, DistrictFigure]:
    rows = (
        PriceReport.objects.filter(region_id=district, commodity__in=list(commodities), day=day)
        .order_by()
        .values("commodity")
        .annotate(price=Avg("retail_price"), stock=Sum("stock_tonnes"), reports=Count("id"))
    )
    return {row["commodity"]: _figure(row) for row in rows}


def baselines(district: str, commodities) -> dict[str, PriceBaseline]:
    rows = PriceBaseline.objects.filter(region_id=district, commodity__in=list(commodities))
    return {b.commodity: b for b in rows}


def daily_consumption(districts, day: date) -> dict[str, dict[str, Decimal]]:
    """{district: {commodity: tonnes a day}}: its registered population (the `persons`
    counter) times the policy's kilograms a person a day."""
    per_person = policy.active().supplies.kg_per_person_day
    people = counters.latest_values(list(districts), ["persons"], day)
    return {
        district: {
            c: Decimal(people.get((district, "persons"), 0)) * kg / KG_PER_TONNE
            for c, kg in per_person.items()
        }
        for district in districts
    }


@dataclass
class BoardRow:
    region: Region
    commodity: str
    price: Decimal | None = None
    price_before: Decimal | None = None
    baseline: Decimal | None = None
    stock_tonnes: Decimal | None = None
    daily_tonnes: Decimal | None = None
    reports: int = 0
    alerts: list = None

    @property
    def commodity_label(self) -> str:
        return Commodity(self.commodity).label

    @property
    def day_change_percent(self) -> Decimal | None:
        if self.price is None or not self.price_before:
            return None
        return ((self.price - self.price_before) / self.price_before * 100).quantize(CENT)

    @property
    def baseline_change_percent(self) -> Decimal | None:
        if self.price is None or not self.baseline:
            return None
        return ((self.price - self.baseline) / self.baseline * 100).quantize(CENT)

    @property
    def days_of_supply(self) -> Decimal | None:
        if self.stock_tonnes is None or not self.daily_tonnes:
            return None
        return (self.stock_tonnes / self.daily_tonnes).quantize(Decimal("0.1"))


def _districts(who, region_code: str = ""):
    found = Region.objects.filter(scope_q(who, "code"), level=Region.Level.COUNTY)
    if region_code:
        found = found.filter(region_q(region_code, "code"))
    return list(found.order_by("code"))


def series(districts, first: date, last: date, commodity: str | None = None):
    """{(district, commodity, day): (average price, stock, reports)} in one grouped query
    over the (region, day, commodity) index."""
    rows = PriceReport.objects.filter(
        region_id__in=[d.code for d in districts], day__gte=first, day__lte=last
    )
    if commodity:
        rows = rows.filter(commodity=commodity)
    grouped = (
        rows.order_by()
        .values("region_id", "commodity", "day")
        .annotate(price=Avg("retail_price"), stock=Sum("stock_tonnes"), reports=Count("id"))
    )
    return {(r["region_id"], r["commodity"], r["day"]): _figure(r) for r in grouped}


def board(who, day: date, *, region_code: str = "", commodity: str = "") -> list[BoardRow]:
    """Each district and commodity in `who`'s jurisdiction on `day`: average price, the
    day before, the baseline, stock in tonnes and days of supply, the day's alerts."""
    districts = _districts(who, region_code)
    commodities = [commodity] if commodity in Commodity.values else list(Commodity.values)
    figures = series(districts, day - timedelta(days=1), day, commodity or None)
    codes = [d.code for d in districts]
    bases = {
        (b.region_id, b.commodity): b.retail_price
        for b in PriceBaseline.objects.filter(region_id__in=codes, commodity__in=commodities)
    }
    consumption = daily_consumption(codes, day)
    alerts = defaultdict(list)
    for a in PriceAlert.objects.filter(region_id__in=codes, day=day, commodity__in=commodities):
        alerts[(a.region_id, a.commodity)].append(a)
    rows = []
    for district in districts:
        for c in commodities:
            today = figures.get((district.code, c, day))
            before = figures.get((district.code, c, day - timedelta(days=1)))
            rows.append(
                BoardRow(
                    district,
                    c,
                    price=today.retail_price if today else None,
                    price_before=before.retail_price if before else None,
                    baseline=bases.get((district.code, c)),
                    stock_tonnes=today.stock_tonnes if today else None,
                    daily_tonnes=consumption.get(district.code, {}).get(c),
                    reports=today.reports if today else 0,
                    alerts=alerts.get((district.code, c), []),
                )
            )
    return rows


def trend(who, commodity: str, last: date, days: int = 30, *, region_code: str = "") -> dict:
    """The chart's data: a line of average price per district over `days` days."""
    districts = _districts(who, region_code)
    first = last - timedelta(days=days - 1)
    figures = series(districts, first, last, commodity)
    axis = [first + timedelta(days=i) for i in range(days)]
    return {
        "days": [d.isoformat() for d in axis],
        "series": [
            {
                "name": d.name,
                "prices": [
                    str(figures[(d.code, commodity, x)].retail_price)
                    if (d.code, commodity, x) in figures
                    else None
                    for x in axis
                ],
            }
            for d in districts
        ],
    }


def alerts_of(who, *, since: date, limit: int = 200) -> list[PriceAlert]:
    return list(
        PriceAlert.objects.visible_to(who)
        .filter(day__gte=since)
        .select_related("region", "enterprise")
        .order_by("-day", "region_id", "commodity", "rule")[:limit]
    )


def public_prices(day: date) -> list[dict]:
    """The public page: per commodity, each district's average retail price of the day and
    the day before, and the city's average (no enterprise, no person)."""
    districts = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    figures = series(districts, day - timedelta(days=1), day)
    table = []
    for c in Commodity:
        rows = []
        for d in districts:
            today = figures.get((d.code, c.value, day))
            before = figures.get((d.code, c.value, day - timedelta(days=1)))
            if today:
                rows.append(
                    {
                        "district": d.name,
                        "price": today.retail_price,
                        "before": before.retail_price if before else None,
                    }
                )
        prices = [r["price"] for r in rows]
        table.append(
            {
                "commodity": c.label,
                "average": (sum(prices) / len(prices)).quantize(CENT) if prices else None,
                "districts": rows,
            }
        )
    return table
