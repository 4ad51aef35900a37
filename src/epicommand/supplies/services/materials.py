"""The materials warehouse's own records: warehouses, procurement orders and the
deliveries that bring their lots in. Every refusal names its field (`lines[2].quantity`);
a delivery is all or nothing."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import Region, User

from ..models import Delivery, Item, Lot, OrderLine, PurchaseOrder, Warehouse

MAX_LINES = 50


# Each catalogue item's unit (the catalogue migration writes the same rows).
UNITS = {
    Item.Code.N95_MASK: "piece",
    Item.Code.SURGICAL_MASK: "piece",
    Item.Code.PROTECTIVE_SUIT: "piece",
    Item.Code.GOGGLES: "piece",
    Item.Code.GLOVES: "pair",
    Item.Code.SWAB: "piece",
    Item.Code.SAMPLING_TUBE: "piece",
    Item.Code.REAGENT: "test",
    Item.Code.DISINFECTANT: "litre",
}


def ensure_catalogue() -> None:
    """The catalogue's rows, for a database emptied since its migration (tests, demo)."""
    for code, unit in UNITS.items():
        Item.objects.get_or_create(code=code, defaults={"unit": unit})


def items_by_code() -> dict[str, Item]:
    return {i.code: i for i in Item.objects.all()}


def quantity_or_error(value, field: str, errors: dict, *, allow_zero: bool = False) -> int | None:
    """A whole quantity within the policy's largest, else an error under `field`."""
    largest = policy.active().supplies.largest_quantity
    least = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            errors[field] = _("a whole number")
            return None
    if not least <= value <= largest:
        errors[field] = _("a whole number from %(a)d to %(b)d") % {"a": least, "b": largest}
        return None
    return value


def lines_or_error(lines, errors: dict) -> list:
    if not isinstance(lines, list | tuple) or not lines:
        errors["lines"] = _("give at least one line")
        return []
    if len(lines) > MAX_LINES:
        errors["lines"] = _("at most %(n)d lines") % {"n": MAX_LINES}
        return []
    return list(lines)


def item_or_error(code, field: str, errors: dict, items: dict) -> Item | None:
    item = items.get(str(code or ""))
    if item is None:
        errors[field] = _("no such catalogue item: %(c)s") % {"c": str(code)[:40]}
    return item


def create_warehouse(actor, *, name, region_code) -> Warehouse:
    require(actor, Capability.MANAGE_MATERIALS)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("give the warehouse's name")
    if not Region.objects.filter(code=region_code, level__lte=Region.Level.COUNTY).exists():
        errors["region_code"] = _("give the code of the city or a district")
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.MANAGE_MATERIALS, region=region_code)
    with transaction.atomic():
        warehouse = Warehouse.objects.create(name=name[:100], region_id=region_code)
        audit.record(actor, "materials.warehouse.create", warehouse, reason=name[:100])
    return warehouse


def place_order(actor, warehouse: Warehouse, *, number, supplier, lines, now=None):
    """A procurement order for the warehouse: one line per item."""
    require(actor, Capability.MANAGE_MATERIALS, region=warehouse.region_id)
    errors: dict[str, str] = {}
    number, supplier = str(number or "").strip(), str(supplier or "").strip()
    if not number or len(number) > 40:
        errors["number"] = _("give the order's number (at most 40 characters)")
    elif PurchaseOrder.objects.filter(number=number).exists():
        errors["number"] = _("an order with this number exists")
    if not supplier:
        errors["supplier"] = _("give the supplier")
    items, wanted = items_by_code(), {}
    for i, line in enumerate(lines_or_error(lines, errors)):
        item = item_or_error(line.get("item"), f"lines[{i}].item", errors, items)
        quantity = quantity_or_error(line.get("quantity"), f"lines[{i}].quantity", errors)
        if item is not None and item.pk in wanted:
            errors[f"lines[{i}].item"] = _("this item is already on the order")
        elif item is not None and quantity is not None:
            wanted[item.pk] = quantity
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            warehouse=warehouse,
            region_id=warehouse.region_id,
            number=number,
            supplier=supplier[:150],
            ordered_at=now or timezone.now(),
            ordered_by=actor if isinstance(actor, User) else None,
        )
        OrderLine.objects.bulk_create(
            OrderLine(order=order, item_id=pk, quantity=q) for pk, q in wanted.items()
        )
        audit.record(actor, "materials.order", order, reason=f"{number}, {len(wanted)} items")
    return order


def _expiry_or_error(value, field: str, errors: dict, today: date) -> date | None:
    if isinstance(value, datetime) or not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            errors[field] = _("a date (YYYY-MM-DD)")
            return None
    if value <= today:
        errors[field] = _("this lot has expired: refuse it")
        return None
    return value


def receive_delivery(actor, order: PurchaseOrder, *, lines, now=None) -> Delivery:
    """The warehouse receives part or all of an order: one lot per line, never more of an
    item than the order has still to come."""
    require(actor, Capability.MANAGE_MATERIALS, region=order.region_id)
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    open_lines = {ol.item_id: ol for ol in order.lines.all()}
    items, coming, seen_lots, lots = items_by_code(), {}, set(), []
    for i, line in enumerate(lines_or_error(lines, errors)):
        at = f"lines[{i}]"
        item = item_or_error(line.get("item"), f"{at}.item", errors, items)
        quantity = quantity_or_error(line.get("quantity"), f"{at}.quantity", errors)
        expires = _expiry_or_error(line.get("expires_on"), f"{at}.expires_on", errors, today)
        number = str(line.get("lot_number") or "").strip()
        if not number or len(number) > 40:
            errors[f"{at}.lot_number"] = _("give the lot number (at most 40 characters)")
        if item is None:
            continue
        ordered = open_lines.get(item.pk)
        if ordered is None:
            errors[f"{at}.item"] = _("this item is not on order %(n)s") % {"n": order.number}
            continue
        if (item.pk, number) in seen_lots or Lot.objects.filter(
            warehouse_id=order.warehouse_id, item=item, lot_number=number
        ).exists():
            errors[f"{at}.lot_number"] = _("this lot is already in the warehouse")
        seen_lots.add((item.pk, number))
        if quantity is not None:
            coming[item.pk] = coming.get(item.pk, 0) + quantity
            still = ordered.quantity - ordered.delivered
            if coming[item.pk] > still:
                errors[f"{at}.quantity"] = _("only %(n)d still to come on the order") % {"n": still}
        lots.append((item, number, expires, quantity))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            order=order,
            region_id=order.region_id,
            received_at=now,
            received_by=actor if isinstance(actor, User) else None,
        )
        for item_id, quantity in coming.items():
            # Conditional: two deliveries of the same order never bring more than ordered.
            if not OrderLine.objects.filter(
                order=order, item_id=item_id, delivered__lte=F("quantity") - quantity
            ).update(delivered=F("delivered") + quantity):
                raise ValidationError({"lines": _("the order changed meanwhile; try again")})
        created = Lot.objects.bulk_create(
            Lot(
                item=item,
                warehouse_id=order.warehouse_id,
                region_id=order.region_id,
                delivery=delivery,
                lot_number=number,
                expires_on=expires,
                received=quantity,
                on_hand=quantity,
            )
            for item, number, expires, quantity in lots
        )
        audit.record(
            actor, "materials.delivery", delivery, reason=f"{order.number}: {len(created)} lots"
        )
    return delivery
