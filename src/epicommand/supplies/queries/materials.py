"""Reads of the materials warehouse: stock per item (unexpired, by lot and expiry), the
warehouse that serves a place, and the requests of a jurisdiction, paged by key."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404

from epicommand.core.keyset import parse_cursor
from epicommand.core.models import Region

from ..models import Item, Lot, MaterialRequest, Warehouse

PAGE = 50


def warehouses_visible_to(who):
    return Warehouse.objects.visible_to(who).select_related("region").order_by("region_id", "pk")


def _ancestor_codes(region_code: str) -> list[str]:
    region = Region.objects.filter(code=region_code).first()
    return [a.code for a in region.ancestors()] if region is not None else []


def warehouse_for_region(region_code: str) -> Warehouse | None:
    """The warehouse serving a place: the nearest one at its region or above (its
    district's, else the city's)."""
    codes = _ancestor_codes(region_code)
    found = {w.region_id: w for w in Warehouse.objects.filter(region_id__in=codes).order_by("pk")}
    for code in reversed(codes):
        if code in found:
            return found[code]
    return None


def visible_warehouse(who, warehouse_id) -> Warehouse:
    """A warehouse inside `who`'s jurisdiction or serving it (a site's staff see the
    district's warehouse they ask); 404 otherwise."""
    region = getattr(who, "scope_region", None) or getattr(who, "region", None)
    above = _ancestor_codes(region.code) if region is not None else []
    allowed = Warehouse.objects.filter(
        Q(pk__in=Warehouse.objects.visible_to(who).values("pk")) | Q(region_id__in=above)
    )
    return get_object_or_404(allowed.select_related("region"), pk=parse_cursor(warehouse_id) or 0)


@dataclass
class ItemStock:
    item: Item
    on_hand: int = 0  # in lots not expired
    expired: int = 0  # still on the shelf, past expiry: never allocated


def stock_by_item(warehouse: Warehouse, today: date) -> list[ItemStock]:
    """Every catalogue item with the warehouse's stock of it (two grouped sums)."""
    rows = Lot.objects.filter(warehouse=warehouse).order_by().values("item_id")
    fresh = dict(
        rows.filter(expires_on__gte=today).annotate(n=Sum("on_hand")).values_list("item_id", "n")
    )
    stale = dict(
        rows.filter(expires_on__lt=today).annotate(n=Sum("on_hand")).values_list("item_id", "n")
    )
    return [
        ItemStock(item, fresh.get(item.pk) or 0, stale.get(item.pk) or 0)
        for item in Item.objects.order_by("pk")
    ]


def lots_of(warehouse: Warehouse, *, limit: int = 500) -> list[Lot]:
    return list(
        Lot.objects.filter(warehouse=warehouse, on_hand__gt=0)
        .select_related("item")
        .order_by("item_id", "expires_on", "pk")[:limit]
    )


def _requests_visible_to(who):
    """Requests of places inside `who`'s jurisdiction, and those addressed to a
    warehouse inside it."""
    return MaterialRequest.objects.filter(
        Q(pk__in=MaterialRequest.objects.visible_to(who).values("pk"))
        | Q(warehouse__in=Warehouse.objects.visible_to(who).values("pk"))
    )


def request_page(who, *, status: str = "", after: int | None = None) -> list[MaterialRequest]:
    rows = _requests_visible_to(who).select_related("warehouse", "region")
    if status in MaterialRequest.Status.values:
        rows = rows.filter(status=status)
    if after:
        rows = rows.filter(pk__lt=after)
    return list(rows.prefetch_related("lines__item").order_by("-pk")[:PAGE])


def visible_request(who, request_id) -> MaterialRequest:
    return get_object_or_404(
        _requests_visible_to(who).select_related("warehouse", "region"),
        pk=parse_cursor(request_id) or 0,
    )
