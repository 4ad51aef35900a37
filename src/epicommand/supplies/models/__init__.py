"""Necessities (supply enterprises, their daily reports, baselines and alerts) and medical
materials (catalogue, warehouses, orders, deliveries, lots, requests, allocations)."""

from .materials import (
    Allocation,
    Delivery,
    Item,
    Lot,
    MaterialRequest,
    OrderLine,
    PurchaseOrder,
    RequestLine,
    Warehouse,
)
from .necessities import (
    Commodity,
    PriceAlert,
    PriceBaseline,
    PriceReport,
    SupplyAccount,
    SupplyEnterprise,
)

__all__ = [
    "Allocation",
    "Commodity",
    "Delivery",
    "Item",
    "Lot",
    "MaterialRequest",
    "OrderLine",
    "PriceAlert",
    "PriceBaseline",
    "PriceReport",
    "PurchaseOrder",
    "RequestLine",
    "SupplyAccount",
    "SupplyEnterprise",
    "Warehouse",
]
