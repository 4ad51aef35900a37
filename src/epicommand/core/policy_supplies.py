"""The rules of necessities and medical materials (issue 20, items 4 and 5), one frozen
dataclass read as `policy.active().supplies`.

Prices are yuan per kilogram; stocks are tonnes (necessities) or pieces, tests and litres
(materials, the catalogue's units). The daily consumption of a district is its registered
population times the kilograms a person eats a day."""

from dataclasses import dataclass, field
from decimal import Decimal

COMMODITIES = ("rice", "flour", "grain_oil", "vegetables", "pork", "eggs", "salt")


def _per_person() -> dict[str, Decimal]:
    # Kilograms a resident consumes a day (the commerce bureau's planning figures).
    return {
        "rice": Decimal("0.25"),
        "flour": Decimal("0.20"),
        "grain_oil": Decimal("0.03"),
        "vegetables": Decimal("0.50"),
        "pork": Decimal("0.08"),
        "eggs": Decimal("0.06"),
        "salt": Decimal("0.01"),
    }


def _highest_price() -> dict[str, Decimal]:
    # Yuan per kilogram above which a reported price is a typing error, not a market.
    return {
        "rice": Decimal("60"),
        "flour": Decimal("60"),
        "grain_oil": Decimal("200"),
        "vegetables": Decimal("120"),
        "pork": Decimal("300"),
        "eggs": Decimal("100"),
        "salt": Decimal("60"),
    }


def _ppe_per_room_day() -> dict[str, Decimal]:
    # Protective equipment the staff of a quarantine site use per occupied room and day.
    return {
        "n95_mask": Decimal("2"),
        "surgical_mask": Decimal("2"),
        "protective_suit": Decimal("1"),
        "goggles": Decimal("0.2"),
        "gloves": Decimal("4"),
        "disinfectant": Decimal("0.5"),
    }


@dataclass(frozen=True)
class SuppliesRules:
    # Necessities: a district's average retail price rising more than this many percent
    # over the day before, or over its pre-outbreak baseline, raises an alert.
    price_rise_day_percent: Decimal = Decimal("10")
    price_rise_baseline_percent: Decimal = Decimal("30")
    # An enterprise's margin ((retail - purchase) / purchase) may not exceed the district's
    # pre-outbreak margin by more than these percentage points ("no higher than before").
    margin_over_baseline_points: Decimal = Decimal("0")
    # A district's reported stock under this many days of consumption raises an alert.
    min_stock_days: int = 7
    kg_per_person_day: dict[str, Decimal] = field(default_factory=_per_person)
    highest_price: dict[str, Decimal] = field(default_factory=_highest_price)
    # One enterprise's stock of one commodity above this is a typing error.
    highest_stock_tonnes: Decimal = Decimal("100000")
    # Hours market supervision has for the task an alert raises.
    alert_task_hours: int = 24
    # Materials: a round's samples use one swab each; a tube holds a pool; the lab's
    # reagent is counted in tests, one per tube plus the re-tests of positive pools.
    swabs_per_sample: Decimal = Decimal("1")
    reagent_tests_per_tube: Decimal = Decimal("1")
    ppe_per_room_day: dict[str, Decimal] = field(default_factory=_ppe_per_room_day)
    # Fewer days of supply than this is a stock-out warning.
    materials_warning_days: int = 3
    # Largest quantity one order line, delivery line or request line may carry.
    largest_quantity: int = 10_000_000
