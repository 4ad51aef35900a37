"""/api/v1/materials: warehouses and their stock by lot, procurement orders and
deliveries, requests (submit, approve, refuse, allocate, confirm) and the forecast.
Unknown items and lots, quantities beyond stock: 422 naming the field, nothing written."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID

from .. import forecast as forecasting
from .. import queries
from ..models import MaterialRequest, PurchaseOrder
from ..services import materials, requests

router = Router(tags=["medical materials"])
ID = Path(..., ge=1, le=MAX_ID)
QUANTITY = Field(ge=0, le=10_000_000)
AFTER = Query(None, ge=1, le=MAX_ID, description="the last id of the page before")


class WarehouseIn(Schema):
    name: str = Field(max_length=100)
    region_code: str = Field(max_length=12)


class WarehouseOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")


class ItemQuantityIn(Schema):
    item: str = Field(max_length=40, description="catalogue code: n95_mask, swab ...")
    quantity: int = QUANTITY


class OrderIn(Schema):
    number: str = Field(max_length=40)
    supplier: str = Field(max_length=150)
    lines: list[ItemQuantityIn] = Field(max_length=50)


class OrderOut(Schema):
    id: int
    number: str


class DeliveryLineIn(ItemQuantityIn):
    lot_number: str = Field(max_length=40)
    expires_on: date


class DeliveryIn(Schema):
    lines: list[DeliveryLineIn] = Field(max_length=50)


class LotOut(Schema):
    id: int
    item: str = Field(alias="item.code")
    lot_number: str
    expires_on: date
    received: int
    on_hand: int


class DeliveryOut(Schema):
    id: int
    lots: list[LotOut]

    @staticmethod
    def resolve_lots(obj) -> list:
        return list(obj.lots.select_related("item").order_by("pk"))


class StockOut(Schema):
    item: str
    on_hand: int
    expired: int


class RequestIn(Schema):
    place_kind: str = Field(max_length=20, description="sampling_site, lab, ...")
    place_name: str = Field(max_length=150)
    region_code: str = Field(max_length=12, description="where the place is")
    lines: list[ItemQuantityIn] = Field(max_length=50)
    note: str = Field("", max_length=300)


class RequestLineOut(Schema):
    item: str = Field(alias="item.code")
    quantity: int
    approved: int | None


class RequestOut(Schema):
    id: int
    warehouse_id: int
    place_kind: str
    place_name: str
    region_code: str = Field(alias="region_id")
    status: str
    submitted_at: datetime
    lines: list[RequestLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.select_related("item").order_by("pk"))


class ApproveIn(Schema):
    approved: dict[str, int] = Field(
        default_factory=dict, description="{item code: quantity} where less than asked"
    )


class RefuseIn(Schema):
    reason: str = Field(max_length=300)


class LotPickIn(Schema):
    item: str = Field(max_length=40)
    lot_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = QUANTITY


class AllocateIn(Schema):
    lots: list[LotPickIn] = Field(
        default_factory=list, max_length=200, description="empty: earliest expiry first"
    )


class AllocationOut(Schema):
    item: str = Field(alias="lot.item.code")
    lot_id: int
    lot_number: str = Field(alias="lot.lot_number")
    quantity: int


class MaterialsForecastItemOut(Schema):
    item: str = Field(alias="item.code")
    on_hand: int
    expired: int
    daily_need: Decimal
    days_of_supply: Decimal | None
    warning: bool


class MaterialsForecastOut(Schema):
    warehouse_id: int = Field(alias="warehouse.pk")
    rooms_occupied: int
    items: list[MaterialsForecastItemOut]


def _request(who, request_id: int) -> MaterialRequest:
    require(who, Capability.VIEW_MATERIALS)
    return queries.visible_request(who, request_id)


@router.post("/warehouses", response={201: WarehouseOut, **ERRORS}, summary="Add a warehouse")
def create_warehouse(request, payload: WarehouseIn):
    return Status(201, materials.create_warehouse(request.auth, **payload.dict()))


@router.get("/warehouses", response={200: list[WarehouseOut], **ERRORS}, summary="Warehouses")
def list_warehouses(request):
    require(request.auth, Capability.VIEW_MATERIALS)
    return list(queries.warehouses_visible_to(request.auth)[:500])


@router.get(
    "/warehouses/{warehouse_id}/stock", response={200: list[StockOut], **ERRORS}, summary="Stock"
)
def stock(request, warehouse_id: int = ID):
    """Stock per catalogue item: unexpired on hand, and expired still on the shelf."""
    require(request.auth, Capability.VIEW_MATERIALS)
    warehouse = queries.visible_warehouse(request.auth, warehouse_id)
    return [
        {"item": s.item.code, "on_hand": s.on_hand, "expired": s.expired}
        for s in queries.stock_by_item(warehouse, timezone.localdate())
    ]


@router.get(
    "/warehouses/{warehouse_id}/lots", response={200: list[LotOut], **ERRORS}, summary="Lots"
)
def lots(request, warehouse_id: int = ID):
    require(request.auth, Capability.VIEW_MATERIALS)
    return queries.lots_of(queries.visible_warehouse(request.auth, warehouse_id))


@router.get(
    "/warehouses/{warehouse_id}/forecast",
    response={200: MaterialsForecastOut, **ERRORS},
    summary="Forecast",
)
def forecast(request, warehouse_id: int = ID):
    """Days of supply per item from the rounds still to sample and the rooms occupied."""
    require(request.auth, Capability.VIEW_MATERIALS)
    warehouse = queries.visible_warehouse(request.auth, warehouse_id)
    return forecasting.forecast(request.auth, warehouse)


@router.post(
    "/warehouses/{warehouse_id}/orders", response={201: OrderOut, **ERRORS}, summary="Order"
)
def place_order(request, payload: OrderIn, warehouse_id: int = ID):
    require(request.auth, Capability.MANAGE_MATERIALS)
    warehouse = queries.visible_warehouse(request.auth, warehouse_id)
    values = payload.dict()
    return Status(201, materials.place_order(request.auth, warehouse, **values))


@router.post(
    "/orders/{order_id}/deliveries", response={201: DeliveryOut, **ERRORS}, summary="Delivery"
)
def receive_delivery(request, payload: DeliveryIn, order_id: int = ID):
    """One lot per line; never more than the order has still to come."""
    require(request.auth, Capability.MANAGE_MATERIALS)
    order = get_object_or_404(PurchaseOrder.objects.visible_to(request.auth), pk=order_id)
    return Status(201, materials.receive_delivery(request.auth, order, **payload.dict()))


@router.post("/requests", response={201: RequestOut, **ERRORS}, summary="Ask for materials")
def submit_request(request, payload: RequestIn):
    return Status(201, requests.submit_request(request.auth, **payload.dict()))


@router.get("/requests", response={200: list[RequestOut], **ERRORS}, summary="Requests")
def list_requests(request, status: str = "", after: int | None = AFTER):
    """Requests of your jurisdiction and to its warehouses, newest first, 50 a page."""
    require(request.auth, Capability.VIEW_MATERIALS)
    return queries.request_page(request.auth, status=status, after=after)


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS}, summary="A request")
def get_request(request, request_id: int = ID):
    return _request(request.auth, request_id)


@router.post(
    "/requests/{request_id}/approve", response={200: RequestOut, **ERRORS}, summary="Approve"
)
def approve(request, payload: ApproveIn, request_id: int = ID):
    found = _request(request.auth, request_id)
    return requests.approve_request(request.auth, found, approved=payload.approved)


@router.post(
    "/requests/{request_id}/refuse", response={200: RequestOut, **ERRORS}, summary="Refuse"
)
def refuse(request, payload: RefuseIn, request_id: int = ID):
    found = _request(request.auth, request_id)
    return requests.refuse_request(request.auth, found, reason=payload.reason)


@router.post(
    "/requests/{request_id}/allocate",
    response={201: list[AllocationOut], **ERRORS},
    summary="Allocate from lots",
)
def allocate(request, payload: AllocateIn, request_id: int = ID):
    found = _request(request.auth, request_id)
    values = payload.dict()
    return Status(201, requests.allocate(request.auth, found, lots=values["lots"]))


@router.post(
    "/requests/{request_id}/confirm", response={200: RequestOut, **ERRORS}, summary="Confirm"
)
def confirm(request, request_id: int = ID):
    """The place confirms the delivery."""
    found = _request(request.auth, request_id)
    return requests.confirm_delivery(request.auth, found)
