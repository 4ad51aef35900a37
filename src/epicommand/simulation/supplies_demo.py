"""The demo's necessities and medical materials (`epicommand seed-supplies`, issue 20).

Necessities: a designated supply enterprise and a market in every district, each
district's pre-outbreak baseline, and a month of daily reports; the last two days go
through the reporting service, so the policy's rules read them: on the last day pork
jumps in the first district, which raises its alerts (day on day, against the baseline,
margin) for the command office to turn into a task for market supervision.

Materials: the city's reserve warehouse receives a procurement order in lots, sized from
the forecast of the testing rounds seed-testing opened (swabs for ten days, sampling
tubes for two: a stock-out warning), and three sampling sites' requests are approved and
allocated from the lots, earliest expiry first."""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from epicommand.core.models import Region, Role, User
from epicommand.supplies import forecast
from epicommand.supplies.models import (
    Commodity,
    PriceBaseline,
    PriceReport,
    SupplyEnterprise,
    Warehouse,
)
from epicommand.supplies.queries import daily_consumption
from epicommand.supplies.services import enterprises, materials, prices, requests
from epicommand.testing.models import SamplingSite

from .accounts import DEMO_PASSWORD

REGULATOR, OFFICE = "city_market", "city_office"
DEMO_ENTERPRISE = "supply_enterprise"
HISTORY_DAYS = 30
CENT = Decimal("0.01")
# Pre-outbreak retail prices, yuan/kg (Shijiazhuang, December 2020), and margins (%).
BASELINE = {
    Commodity.RICE: (Decimal("5.60"), Decimal("18")),
    Commodity.FLOUR: (Decimal("4.80"), Decimal("15")),
    Commodity.GRAIN_OIL: (Decimal("16.00"), Decimal("15")),
    Commodity.VEGETABLES: (Decimal("6.00"), Decimal("30")),
    Commodity.PORK: (Decimal("26.00"), Decimal("20")),
    Commodity.EGGS: (Decimal("10.00"), Decimal("15")),
    Commodity.SALT: (Decimal("3.00"), Decimal("20")),
}
SPIKE = Decimal("1.38")  # the last day's pork in the first district, over the day before


class SuppliesAlreadySeeded(Exception):
    pass


class CityMissing(Exception):
    pass


@dataclass
class SuppliesCounts:
    enterprises: int = 0
    reports: int = 0
    alerts: int = 0
    lots: int = 0
    requests: int = 0
    warnings: list[str] = field(default_factory=list)


def supplies_exist() -> bool:
    return SupplyEnterprise.objects.exists() or Warehouse.objects.exists()


def _credit_code(county: str, n: int) -> str:
    return f"91{county}{n:010d}"


def _accounts(county_enterprises, password_hash: str) -> dict[int, User]:
    """A reporting account per enterprise; the first also answers to the demo login."""
    found = {}
    for n, enterprise in enumerate(county_enterprises):
        username = DEMO_ENTERPRISE if n == 0 else f"supply_{enterprise.credit_code}"
        user = User.objects.create(
            username=username,
            role=Role.SUPPLY_ENTERPRISE,
            scope_region=enterprise.region,
            password=password_hash if n == 0 else "!",
        )
        found[enterprise.pk] = user
    return found


def _price(rng, base: Decimal, wobble: float = 0.03) -> Decimal:
    return (base * Decimal(str(1 + rng.uniform(-wobble, wobble)))).quantize(CENT)


def _line(rng, commodity, retail: Decimal, margin: Decimal, daily: Decimal) -> dict:
    purchase = (retail / (1 + margin / 100)).quantize(CENT)
    stock = max(CENT, (daily * Decimal(str(rng.uniform(9, 16)))).quantize(CENT))
    return {
        "commodity": commodity,
        "retail_price": retail,
        "purchase_price": purchase,
        "stock_tonnes": stock,
    }


def _necessities(rng, regulator, today: date, counts: SuppliesCounts) -> None:
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    made = []
    for county in counties:
        for n, kind in enumerate(SupplyEnterprise.Kind.values):
            label = "粮油供应有限公司" if kind == "enterprise" else "农贸批发市场"
            made.append(
                enterprises.register_enterprise(
                    regulator,
                    name=f"{county.name}{label}",
                    credit_code=_credit_code(county.code, n + 1),
                    kind=kind,
                    region_code=county.code,
                    address=f"{county.name}中心大街 {n + 1} 号",
                )
            )
        for commodity, (price, margin) in BASELINE.items():
            enterprises.set_baseline(
                regulator,
                region_code=county.code,
                commodity=commodity,
                retail_price=_price(rng, price, 0.05),
                margin_percent=margin,
            )
    counts.enterprises = len(made)
    users = _accounts(made, make_password(DEMO_PASSWORD))
    for enterprise in made:
        enterprises.bind_account(regulator, enterprise, users[enterprise.pk])
    per_district = daily_consumption([c.code for c in counties], today)
    baselines = {
        (b.region_id, b.commodity): b for b in PriceBaseline.objects.filter(region__in=counties)
    }
    history = []
    last: dict[tuple[int, str], Decimal] = {}
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        for enterprise in made:
            lines = []
            for commodity in Commodity.values:
                base = baselines[(enterprise.region_id, commodity)]
                drift = Decimal(str(1 + 0.004 * (HISTORY_DAYS - back) / HISTORY_DAYS))
                retail = _price(rng, base.retail_price * drift, 0.02)
                if back == 0 and enterprise.region_id == counties[0].code and commodity == "pork":
                    retail = (last[(enterprise.pk, commodity)] * SPIKE).quantize(CENT)
                # Under the baseline's margin by a point or more: the cent rounding of the
                # purchase price never tips it over.
                margin = base.margin_percent - Decimal(rng.randint(1, 4))
                if back == 0 and retail > base.retail_price * Decimal("1.3"):
                    margin = base.margin_percent + 12  # the spike is a wider margin too
                daily = per_district.get(enterprise.region_id, {}).get(commodity, CENT)
                lines.append(_line(rng, commodity, retail, margin, daily or CENT))
                last[(enterprise.pk, commodity)] = retail
            if back >= 2:
                history.extend(
                    PriceReport(
                        enterprise=enterprise, region_id=enterprise.region_id, day=day, **ln
                    )
                    for ln in lines
                )
            else:  # the last two days through the service: the rules read them
                _reports, raised = prices.report_day(users[enterprise.pk], day=day, lines=lines)
                counts.alerts += len(raised)
    PriceReport.objects.bulk_create(history, batch_size=2_000)
    counts.reports = PriceReport.objects.count()


def _quantity(daily: Decimal, days: float, unused: int) -> int:
    """Enough for `days` at the forecast's need; `unused` of what nothing forecast uses."""
    return math.ceil(float(daily) * days) if daily else unused


def _materials(office, now: datetime, counts: SuppliesCounts) -> None:
    materials.ensure_catalogue()
    city = Region.objects.get(level=Region.Level.CITY)
    warehouse = materials.create_warehouse(
        office, name="石家庄市防疫物资储备库", region_code=city.code
    )
    need = {i.item.code: i.daily_need for i in forecast.forecast(office, warehouse, now=now).items}
    # Days of supply the demo delivers: sampling tubes run short (a stock-out warning).
    days = {"swab": 10, "sampling_tube": 2, "reagent": 6, "n95_mask": 14}
    today = timezone.localdate(now)
    lots, wanted = [], {}
    for code in materials.UNITS:
        total = _quantity(need.get(code, Decimal(0)), days.get(code, 20), 2_000)
        first = total // 3  # a third in a lot expiring sooner (allocated first)
        split = ((first, 3), (total - first, 12)) if first else ((total, 12),)
        for n, (quantity, months) in enumerate(split):
            lots.append(
                {
                    "item": code,
                    "lot_number": f"{code.upper()[:3]}-2021-{n + 1:03d}",
                    "quantity": quantity,
                    "expires_on": today + timedelta(days=30 * months),
                }
            )
        wanted[code] = total
    order = materials.place_order(
        office,
        warehouse,
        number="CG-2021-0001",
        supplier="华北制药物资供应有限公司",
        lines=[{"item": c, "quantity": q} for c, q in wanted.items()],
        now=now - timedelta(days=3),
    )
    materials.receive_delivery(office, order, lines=lots, now=now - timedelta(days=1))
    counts.lots = len(lots)
    sites = list(SamplingSite.objects.select_related("region").order_by("pk")[:3])
    for n, site in enumerate(sites):
        request = requests.submit_request(
            office,
            place_kind="sampling_site",
            place_name=site.name,
            region_code=site.region_id,
            lines=[
                {"item": code, "quantity": max(1, wanted[code] // 10)}
                for code in ("swab", "sampling_tube")
            ],
            now=now - timedelta(hours=6 - n),
        )
        counts.requests += 1
        if n < 2:
            requests.approve_request(office, request, now=now - timedelta(hours=5 - n))
            requests.allocate(office, request, now=now - timedelta(hours=4 - n))
        if n == 0:
            requests.confirm_delivery(office, request, now=now - timedelta(hours=2))
    result = forecast.forecast(office, warehouse, now=now)
    counts.warnings = [str(i.item) for i in result.warnings]


def seed_supplies(seed: str = "2021", *, now: datetime | None = None) -> SuppliesCounts:
    now = now or timezone.now()
    rng = random.Random(f"supplies-{seed}")
    counts = SuppliesCounts()
    with transaction.atomic():
        if supplies_exist():
            raise SuppliesAlreadySeeded
        regulator = User.objects.filter(username=REGULATOR, is_active=True).first()
        office = User.objects.filter(username=OFFICE, is_active=True).first()
        if regulator is None or office is None:
            raise CityMissing(f"the demo city and its accounts {REGULATOR}, {OFFICE}")
        _necessities(rng, regulator, timezone.localdate(now), counts)
        _materials(office, now, counts)
    return counts
