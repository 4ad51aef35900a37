"""Requests for materials from the places that use them: submitted by the place,
approved (or refused) by its warehouse, allocated from lots (earliest expiry first, or the
lots the warehouse names), and confirmed by the place on delivery.

Stock never goes negative: the lots are locked (`select_for_update(of=("self",))` on
PostgreSQL) and each is lowered by a conditional UPDATE (`on_hand >= n`) whose row count is
checked; the database's check on `on_hand >= 0` is the last guard. An allocation beyond
stock is refused naming the line, and nothing of the request is allocated."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require

from .. import queries
from ..models import Allocation, Lot, MaterialRequest, RequestLine
from .materials import item_or_error, items_by_code, lines_or_error, quantity_or_error

Status = MaterialRequest.Status


def _actor_name(actor) -> str:
    return (getattr(actor, "username", "") or str(actor))[:150]


def submit_request(
    actor, *, place_kind, place_name, region_code, lines, note="", now=None
) -> MaterialRequest:
    """A sampling site, lab, quarantine site or hospital in the actor's jurisdiction asks
    the warehouse serving it."""
    require(actor, Capability.REQUEST_MATERIALS)
    errors: dict[str, str] = {}
    if place_kind not in MaterialRequest.Place.values:
        errors["place_kind"] = _("choose one of: %(k)s") % {
            "k": ", ".join(MaterialRequest.Place.values)
        }
    place_name = str(place_name or "").strip()
    if not place_name or len(place_name) > 150:
        errors["place_name"] = _("give the place's name (at most 150 characters)")
    warehouse = queries.warehouse_for_region(str(region_code or ""))
    if warehouse is None:
        errors["region_code"] = _("no materials warehouse serves this region")
    items, wanted = items_by_code(), {}
    for i, line in enumerate(lines_or_error(lines, errors)):
        item = item_or_error(line.get("item"), f"lines[{i}].item", errors, items)
        quantity = quantity_or_error(line.get("quantity"), f"lines[{i}].quantity", errors)
        if item is not None and item.pk in wanted:
            errors[f"lines[{i}].item"] = _("this item is already asked for")
        elif item is not None and quantity is not None:
            wanted[item.pk] = quantity
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.REQUEST_MATERIALS, region=region_code)
    with transaction.atomic():
        request = MaterialRequest.objects.create(
            warehouse=warehouse,
            region_id=region_code,
            place_kind=place_kind,
            place_name=place_name,
            note=str(note or "")[:300],
            submitted_at=now or timezone.now(),
            submitted_by=_actor_name(actor),
        )
        RequestLine.objects.bulk_create(
            RequestLine(request=request, item_id=pk, quantity=q) for pk, q in wanted.items()
        )
        audit.record(actor, "materials.request", request, reason=place_name)
    return request


def _move(request: MaterialRequest, start: str, end: str, **stamps) -> None:
    """The status change, conditional on the status it starts from: of two clerks acting
    at once, one wins and the other is told."""
    if not MaterialRequest.objects.filter(pk=request.pk, status=start).update(status=end, **stamps):
        raise ValidationError({"status": _("this request is no longer %(s)s") % {"s": start}})
    request.status = end
    for name, value in stamps.items():
        setattr(request, name, value)


def approve_request(actor, request: MaterialRequest, *, approved=None, now=None):
    """Approve each line as asked, or as much as `approved` ({item code: n}) says."""
    require(actor, Capability.MANAGE_MATERIALS, region=request.warehouse.region_id)
    now = now or timezone.now()
    lines = list(request.lines.select_related("item"))
    approved = approved or {}
    errors: dict[str, str] = {}
    known = {line.item.code for line in lines}
    for code in approved:
        if code not in known:
            errors[f"approved.{str(code)[:40]}"] = _("this item is not in the request")
    for line in lines:
        if line.item.code in approved:
            field = f"approved.{line.item.code}"
            n = quantity_or_error(approved[line.item.code], field, errors, allow_zero=True)
            if n is not None and n > line.quantity:
                errors[field] = _("at most the %(n)d asked") % {"n": line.quantity}
            line.approved = n
        else:
            line.approved = line.quantity
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(request, Status.SUBMITTED, Status.APPROVED, decided_at=now)
        RequestLine.objects.bulk_update(lines, ["approved"])
        audit.record(actor, "materials.request.approve", request)
    return request


def refuse_request(actor, request: MaterialRequest, *, reason, now=None):
    require(actor, Capability.MANAGE_MATERIALS, region=request.warehouse.region_id)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("say why the request is refused")})
    with transaction.atomic():
        _move(request, Status.SUBMITTED, Status.REFUSED, decided_at=now or timezone.now())
        MaterialRequest.objects.filter(pk=request.pk).update(note=reason[:300])
        audit.record(actor, "materials.request.refuse", request, reason=reason[:300])
    return request


def _plan_first_expiry(lots: list[Lot], needed: int) -> list[tuple[Lot, int]]:
    plan = []
    for lot in lots:
        if needed <= 0:
            break
        take = min(lot.on_hand, needed)
        plan.append((lot, take))
        needed -= take
    return plan


def _plan_named(picks, line, lots_by_pk, errors) -> list[tuple[Lot, int]]:
    plan = []
    for i, lot_id, quantity in picks:
        lot = lots_by_pk.get(lot_id)
        if lot is None or lot.item_id != line.item_id:
            errors[f"lots[{i}].lot_id"] = _("no such lot of %(item)s in this warehouse") % {
                "item": line.item
            }
        elif quantity > lot.on_hand:
            errors[f"lots[{i}].quantity"] = _("only %(n)d left in lot %(l)s") % {
                "n": lot.on_hand,
                "l": lot.lot_number,
            }
        else:
            plan.append((lot, quantity))
    return plan


def _clean_picks(lots, items, errors) -> dict[int, list]:
    """{item id: [(index, lot id, quantity)]} from the optional `lots` the warehouse names."""
    picks: dict[int, list] = {}
    for i, pick in enumerate(lots or []):
        item = item_or_error(pick.get("item"), f"lots[{i}].item", errors, items)
        quantity = quantity_or_error(pick.get("quantity"), f"lots[{i}].quantity", errors)
        lot_id = pick.get("lot_id")
        if isinstance(lot_id, bool) or not isinstance(lot_id, int):
            errors[f"lots[{i}].lot_id"] = _("a lot's id")
        elif item is not None and quantity is not None:
            picks.setdefault(item.pk, []).append((i, lot_id, quantity))
    return picks


def allocate(actor, request: MaterialRequest, *, lots=None, now: datetime | None = None):
    """Take each approved line from the warehouse's unexpired lots, earliest expiry first
    (or from the lots named); all lines or none."""
    require(actor, Capability.MANAGE_MATERIALS, region=request.warehouse.region_id)
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    picks = _clean_picks(lots, items_by_code(), errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(request, Status.APPROVED, Status.ALLOCATED, allocated_at=now)
        lines = [
            line for line in request.lines.select_related("item").order_by("pk") if line.approved
        ]
        for item_id in set(picks) - {line.item_id for line in lines}:
            errors[f"lots[{picks[item_id][0][0]}].item"] = _("this item is not approved here")
        locked = list(
            Lot.objects.select_for_update(of=("self",))
            .filter(
                warehouse_id=request.warehouse_id,
                item_id__in=[line.item_id for line in lines],
                on_hand__gt=0,
                expires_on__gte=today,
            )
            .order_by("item_id", "expires_on", "pk")
        )
        by_pk = {lot.pk: lot for lot in locked}
        plans = []
        for index, line in enumerate(lines):
            available = sum(lot.on_hand for lot in locked if lot.item_id == line.item_id)
            if line.item_id in picks:
                plan = _plan_named(picks[line.item_id], line, by_pk, errors)
                if sum(q for _lot, q in plan) != line.approved and not errors:
                    errors[f"lots[{picks[line.item_id][0][0]}].quantity"] = _(
                        "the lots named must add up to the %(n)d approved"
                    ) % {"n": line.approved}
            elif available < line.approved:
                errors[f"lines[{index}].quantity"] = _(
                    "%(n)d %(item)s approved, only %(a)d in stock"
                ) % {"n": line.approved, "item": line.item, "a": available}
                continue
            else:
                plan = _plan_first_expiry(
                    [lot for lot in locked if lot.item_id == line.item_id], line.approved
                )
            plans.append((line, plan))
        if errors:
            raise ValidationError(errors)
        allocations = []
        for line, plan in plans:
            for lot, quantity in plan:
                lowered = Lot.objects.filter(pk=lot.pk, on_hand__gte=quantity).update(
                    on_hand=F("on_hand") - quantity
                )
                if not lowered:  # another allocation took it between the lock and here
                    raise ValidationError({"lots": _("the stock changed meanwhile; try again")})
                lot.on_hand -= quantity
                allocations.append(
                    Allocation(line=line, lot=lot, quantity=quantity, allocated_at=now)
                )
        Allocation.objects.bulk_create(allocations)
        audit.record(
            actor,
            "materials.request.allocate",
            request,
            reason=", ".join(f"{a.lot.lot_number}: {a.quantity}" for a in allocations)[:500],
        )
    return allocations


def confirm_delivery(actor, request: MaterialRequest, *, now=None) -> MaterialRequest:
    """The place confirms it received what was allocated."""
    require(actor, Capability.REQUEST_MATERIALS, region=request.region_id)
    with transaction.atomic():
        _move(request, Status.ALLOCATED, Status.DELIVERED, delivered_at=now or timezone.now())
        audit.record(actor, "materials.request.confirm", request)
    return request
