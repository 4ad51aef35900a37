"""The demand for medical materials forecast from the platform's own operations, as days
of supply per item and warehouse (issue 20, item 5).

Testing: each open or planned round still to sample persons in the warehouse's region
needs, per village, one swab per person (`swabs_per_sample`) and one tube per pool
(ceil(persons / pool size), the pool size the edition gives the village's risk level),
and reagent for `reagent_tests_per_tube` tests per tube; the round's need is spread over
the days it has left. Quarantine: each room occupied today in the region's sites uses the
policy's protective equipment per room-day. Days of supply = unexpired stock / daily need;
under `materials_warning_days` is a stock-out warning. Testing and quarantine are read
through their queries modules."""

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from epicommand.control.levels import levels_in_force
from epicommand.core import policy
from epicommand.quarantine.queries.sites import occupied_rooms_in
from epicommand.testing.models import Round
from epicommand.testing.pooling import pool_size_for
from epicommand.testing.queries.rounds import still_to_sample, visible_rounds

from . import queries
from .models import Item, Warehouse

SECONDS_A_DAY = 86_400
TENTH = Decimal("0.1")


@dataclass
class RoundNeed:
    round: Round
    persons: int
    tubes: int
    days_left: int


@dataclass
class ItemForecast:
    item: Item
    on_hand: int
    expired: int
    daily_need: Decimal
    days_of_supply: Decimal | None  # None: nothing forecast to use it
    warning: bool


@dataclass
class Forecast:
    warehouse: Warehouse
    rounds: list[RoundNeed] = field(default_factory=list)
    rooms_occupied: int = 0
    items: list[ItemForecast] = field(default_factory=list)

    @property
    def warnings(self) -> list[ItemForecast]:
        return [i for i in self.items if i.warning]


def round_needs(who, warehouse: Warehouse, now: datetime) -> list[RoundNeed]:
    rounds = (
        visible_rounds(who)
        .filter(status__in=[Round.Status.PLANNED, Round.Status.OPEN], ends_at__gt=now)
        .order_by("starts_at", "pk")
    )
    levels = levels_in_force()
    needs = []
    for round_ in rounds:
        villages = still_to_sample(round_, warehouse.region_id)
        if not villages:
            continue
        tubes = sum(
            math.ceil(n / pool_size_for(code, levels=levels)) for code, n in villages.items()
        )
        start = max(round_.starts_at, now)
        days_left = max(1, math.ceil((round_.ends_at - start).total_seconds() / SECONDS_A_DAY))
        needs.append(RoundNeed(round_, sum(villages.values()), tubes, days_left))
    return needs


def forecast(who, warehouse: Warehouse, *, now: datetime | None = None) -> Forecast:
    now = now or timezone.now()
    rules = policy.active().supplies
    result = Forecast(warehouse, round_needs(who, warehouse, now))
    result.rooms_occupied = occupied_rooms_in(warehouse.region_id)
    need: dict[str, Decimal] = {}

    def add(code: str, amount: Decimal) -> None:
        need[code] = need.get(code, Decimal(0)) + amount

    for r in result.rounds:
        add(Item.Code.SWAB, Decimal(r.persons) * rules.swabs_per_sample / r.days_left)
        add(Item.Code.SAMPLING_TUBE, Decimal(r.tubes) / r.days_left)
        add(Item.Code.REAGENT, Decimal(r.tubes) * rules.reagent_tests_per_tube / r.days_left)
    for code, per_room in rules.ppe_per_room_day.items():
        if result.rooms_occupied:
            add(code, per_room * result.rooms_occupied)
    for stock in queries.stock_by_item(warehouse, timezone.localdate(now)):
        daily = need.get(stock.item.code, Decimal(0))
        days = (Decimal(stock.on_hand) / daily).quantize(TENTH) if daily else None
        result.items.append(
            ItemForecast(
                stock.item,
                stock.on_hand,
                stock.expired,
                daily.quantize(TENTH),
                days,
                days is not None and days < rules.materials_warning_days,
            )
        )
    return result
