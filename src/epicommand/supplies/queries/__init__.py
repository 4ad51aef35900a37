"""Scoped reads of necessities (prices, stock, alerts) and materials (stock by lot,
requests). The materials forecast reads testing and quarantine in `supplies.forecast`."""

from .materials import (
    PAGE,
    lots_of,
    request_page,
    stock_by_item,
    visible_request,
    visible_warehouse,
    warehouse_for_region,
    warehouses_visible_to,
)
from .prices import (
    BoardRow,
    DistrictFigure,
    alerts_of,
    baselines,
    board,
    daily_consumption,
    district_figures,
    public_prices,
    trend,
)

__all__ = [
    "PAGE",
    "BoardRow",
    "DistrictFigure",
    "alerts_of",
    "baselines",
    "board",
    "daily_consumption",
    "district_figures",
    "lots_of",
    "public_prices",
    "request_page",
    "stock_by_item",
    "trend",
    "visible_request",
    "visible_warehouse",
    "warehouse_for_region",
    "warehouses_visible_to",
]
