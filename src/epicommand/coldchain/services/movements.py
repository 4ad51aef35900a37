"""Every holder scans the trace code to record what it receives, dispatches and sells. Stock
is counted per holder and batch (Holding): nobody dispatches or sells more than they hold,
nobody receives more than was dispatched to them, and a sealed batch moves no further."""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require

from .. import codes
from ..models import Batch, ChainEvent, Enterprise, Holding
from .enterprises import own_enterprise

S = ChainEvent.Step
D = ChainEvent.Disposition


def _batch(code) -> Batch:
    try:
        return codes.resolve(code)
    except codes.InvalidTraceCode as refused:
        raise ValidationError({"trace_code": refused.message}) from None


def _quantity(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationError({"quantity": _("a whole number of packages above zero")})
    return quantity


def _time(at: datetime | None, now: datetime) -> datetime:
    if at is not None and at > now:
        raise ValidationError({"at": _("a time in the future")})
    return at or now


def _holding(batch: Batch, enterprise: Enterprise) -> Holding | None:
    # Locked, so two dispatches of one holder cannot both spend the same stock (on
    # SQLite the IMMEDIATE transaction already queues writers).
    return Holding.objects.select_for_update().filter(batch=batch, enterprise=enterprise).first()


def _event(batch, step, disposition, quantity, enterprise, at, *, source=None, destination=None):
    return ChainEvent.objects.create(
        event_id=uuid.uuid4(),
        biz_step=step,
        disposition=disposition,
        event_time=at,
        batch=batch,
        quantity=quantity,
        enterprise=enterprise,
        source=source,
        destination=destination,
        region_id=enterprise.region_id,
    )


def _gate(actor) -> Enterprise:
    require(actor, Capability.RECORD_COLDCHAIN)
    enterprise = own_enterprise(actor)
    require(actor, Capability.RECORD_COLDCHAIN, region=enterprise.region_id)
    return enterprise


def dispatch(actor, code, *, to_credit_code, quantity, at=None, now=None) -> ChainEvent:
    """The holder sends `quantity` packages of the batch to another enterprise."""
    here = _gate(actor)
    now = now or timezone.now()
    batch, quantity, at = _batch(code), _quantity(quantity), _time(at, now)
    there = Enterprise.objects.filter(credit_code=str(to_credit_code or "").upper()).first()
    if there is None:
        raise ValidationError({"to_credit_code": _("no registered enterprise has this code")})
    if there.pk == here.pk:
        raise ValidationError({"to_credit_code": _("an enterprise does not ship to itself")})
    with transaction.atomic():
        holding = _holding(batch, here)
        _spend(batch, holding, quantity)
        holding.dispatched += quantity
        holding.on_hand -= quantity
        holding.save(update_fields=["dispatched", "on_hand"])
        event = _event(batch, S.SHIPPING, D.IN_TRANSIT, quantity, here, at, destination=there)
        audit.record(
            actor,
            "coldchain.dispatch",
            batch,
            region_code=here.region_id,
            reason=f"{quantity} to {there.credit_code}",
        )
    return event


def _spend(batch: Batch, holding: Holding | None, quantity: int) -> None:
    if holding is not None and holding.sealed_at is not None:
        raise ValidationError({"trace_code": _("your stock of this batch is sealed")})
    held = holding.on_hand if holding is not None else 0
    if quantity > held:
        message = _("you hold %(held)d packages of this batch, fewer than %(n)d")
        raise ValidationError({"quantity": message % {"held": held, "n": quantity}})


def in_transit_to(batch: Batch, enterprise: Enterprise) -> dict[int, int]:
    """{source enterprise id: packages dispatched to `enterprise` and not yet received}."""
    sent = dict(
        ChainEvent.objects.filter(batch=batch, biz_step=S.SHIPPING, destination=enterprise)
        .values_list("enterprise_id")
        .annotate(n=Sum("quantity"))
    )
    got = dict(
        ChainEvent.objects.filter(batch=batch, biz_step=S.RECEIVING, enterprise=enterprise)
        .values_list("source_id")
        .annotate(n=Sum("quantity"))
    )
    return {source: n - got.get(source, 0) for source, n in sent.items() if n > got.get(source, 0)}


def receive(actor, code, *, quantity, from_credit_code="", at=None, now=None) -> ChainEvent:
    """The enterprise takes in packages dispatched to it. The sender may be left out when
    only one has goods of the batch on the way to it. A holder whose stock is sealed takes
    them in sealed."""
    here = _gate(actor)
    now = now or timezone.now()
    batch, quantity, at = _batch(code), _quantity(quantity), _time(at, now)
    with transaction.atomic():
        pending = in_transit_to(batch, here)
        source = _source(pending, from_credit_code)
        if quantity > pending[source.pk]:
            message = _("%(n)d packages of this batch are on the way to you from this sender")
            raise ValidationError({"quantity": message % {"n": pending[source.pk]}})
        holding = _holding(batch, here) or Holding(
            batch=batch, enterprise=here, region_id=here.region_id, first_received_at=at
        )
        holding.received += quantity
        if holding.sealed_at is not None:
            holding.sealed += quantity
        else:
            holding.on_hand += quantity
        holding.save()
        disposition = D.NON_SELLABLE if holding.sealed_at else D.IN_PROGRESS
        event = _event(batch, S.RECEIVING, disposition, quantity, here, at, source=source)
        audit.record(
            actor,
            "coldchain.receive",
            batch,
            region_code=here.region_id,
            reason=f"{quantity} from {source.credit_code}",
        )
    return event


def _source(pending: dict[int, int], from_credit_code) -> Enterprise:
    code = str(from_credit_code or "").strip().upper()
    if code:
        source = Enterprise.objects.filter(credit_code=code).first()
        if source is None or source.pk not in pending:
            raise ValidationError(
                {"from_credit_code": _("nothing of this batch is on the way from this sender")}
            )
        return source
    if not pending:
        raise ValidationError({"trace_code": _("nothing of this batch was dispatched to you")})
    if len(pending) > 1:
        raise ValidationError({"from_credit_code": _("several senders: name the one")})
    return Enterprise.objects.get(pk=next(iter(pending)))


def sell(actor, code, *, quantity, at=None, now=None) -> ChainEvent:
    """A retailer sells packages of a coded batch (nothing without a trace code)."""
    here = _gate(actor)
    now = now or timezone.now()
    batch, quantity, at = _batch(code), _quantity(quantity), _time(at, now)
    if here.kind != Enterprise.Kind.RETAILER:
        raise ValidationError({"enterprise": _("only a retailer records sales")})
    with transaction.atomic():
        holding = _holding(batch, here)
        _spend(batch, holding, quantity)
        holding.sold += quantity
        holding.on_hand -= quantity
        holding.save(update_fields=["sold", "on_hand"])
        event = _event(batch, S.RETAIL_SELLING, D.RETAIL_SOLD, quantity, here, at)
        audit.record(
            actor, "coldchain.sell", batch, region_code=here.region_id, reason=str(quantity)
        )
    return event
