"""The cold chain's routes. An enterprise's token acts for its own enterprise only and sees
its own batches; an official's sees the enterprises and batches of their jurisdiction;
another's batch is 404. Refusals name the field (422)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Path, Router, Schema, Status, UploadedFile

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID

from .. import codes, epcis, queries
from ..models import Batch, Certificate, Enterprise, PositiveSample
from ..services import batches, enterprises, movements, positives

router = Router(tags=["cold chain"])
ID = Path(..., ge=1, le=MAX_ID)
CERT_KIND = Form(...)
CERT_NUMBER = Form(..., max_length=60)
ISSUED_ON = Form(..., description="the test's sampling day for nucleic_acid")
VALID_UNTIL = Form(...)
CERT_FILE = File(..., description="PDF, PNG or JPEG, checked by content")


class ChainEnterpriseIn(Schema):
    name: str = Field(max_length=150)
    credit_code: str = Field(max_length=18, description="unified social credit code")
    kind: Literal[tuple(Enterprise.Kind.values)]
    region_code: str = Field(max_length=12)
    address: str = Field(max_length=200)


class ChainEnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    region_code: str = Field(alias="region_id")
    address: str


class ChainBatchIn(Schema):
    product: str = Field(max_length=100)
    specification: str = Field(max_length=100)
    origin_country: str = Field(max_length=60)
    batch_number: str = Field(max_length=60)
    container_number: str = Field(max_length=20)
    seal_number: str = Field(max_length=30)
    customs_declaration: str = Field(max_length=30)
    quantity: int = Field(ge=1, le=10_000_000, description="packages")
    weight_kg: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class ChainHoldingOut(Schema):
    enterprise: str = Field(alias="enterprise.name")
    credit_code: str = Field(alias="enterprise.credit_code")
    received: int
    dispatched: int
    sold: int
    on_hand: int
    sealed: int


class ChainBatchOut(Schema):
    id: int
    first_stop: str = Field(alias="first_stop.name")
    product: str
    specification: str
    origin_country: str
    batch_number: str
    container_number: str
    seal_number: str
    customs_declaration: str
    quantity: int
    weight_kg: Decimal
    coded_at: datetime | None
    sealed_at: datetime | None
    keep_until: date | None
    trace_code: str | None = Field(None, description="once coded")
    holders: list[ChainHoldingOut] = Field(description="the holders you may see")

    @staticmethod
    def resolve_trace_code(obj) -> str | None:
        return codes.trace_code(obj) if obj.coded_at else None


class TraceCodeOut(Schema):
    trace_code: str


class ChainSaleIn(Schema):
    trace_code: str = Field(max_length=codes.MAX_LENGTH)
    quantity: int = Field(ge=1, le=10_000_000)
    at: datetime | None = Field(None, description="now if omitted")


class ChainDispatchIn(ChainSaleIn):
    to_credit_code: str = Field(max_length=18)


class ChainReceiptIn(ChainSaleIn):
    from_credit_code: str = Field("", max_length=18, description="needed if several senders")


class ChainEventOut(Schema):
    event_id: str
    biz_step: str
    disposition: str
    quantity: int
    event_time: datetime

    @staticmethod
    def resolve_event_id(obj) -> str:
        return str(obj.event_id)


class PositiveSampleIn(Schema):
    kind: Literal[tuple(PositiveSample.Kind.values)]
    enterprise_id: int = Field(ge=1, le=MAX_ID)
    trace_code: str = Field("", max_length=codes.MAX_LENGTH, description="product or package")
    sampled_at: datetime
    lab_report: str = Field(max_length=60)


class TraceReachedOut(Schema):
    direction: str = Field(description="down: downstream of the sample; up: to the first stop")
    enterprise_id: int
    batch_id: int
    shipped_in: int
    received: int
    on_hand: int
    sold: int
    sealed: int
    region_code: str = Field(alias="region_id")


class PositiveSampleOut(Schema):
    id: int
    batches_sealed: int
    packages_sealed: int
    staff_listed: int
    tasks: list[int]
    counties_without_office: list[str]
    reached: list[TraceReachedOut]


def _aware(at: datetime | None) -> datetime | None:
    return timezone.make_aware(at) if at is not None and timezone.is_naive(at) else at


def _batch(who, batch_id: int) -> Batch:
    require(who, Capability.VIEW_COLDCHAIN)
    return get_object_or_404(
        queries.batches_visible_to(who).select_related("first_stop").distinct(), pk=batch_id
    )


def _batch_out(who, batch: Batch) -> Batch:
    batch.holders = queries.holdings_of(who, batch)
    return batch


@router.post("/enterprises", response={201: ChainEnterpriseOut, **ERRORS}, summary="Register")
def register_enterprise(request, payload: ChainEnterpriseIn):
    """The market regulator registers an enterprise in its jurisdiction."""
    return Status(201, enterprises.register_enterprise(request.auth, **payload.dict()))


@router.get("/enterprises", response={200: list[ChainEnterpriseOut], **ERRORS}, summary="List")
def list_enterprises(request):
    """The enterprises you may see (an enterprise's account: its own), at most 500."""
    require(request.auth, Capability.VIEW_COLDCHAIN)
    return list(queries.enterprises_visible_to(request.auth).order_by("pk")[:500])


@router.post("/batches", response={201: ChainBatchOut, **ERRORS}, summary="Declare a batch")
def declare_batch(request, payload: ChainBatchIn):
    """A first stop declares a batch it brings in (not yet coded)."""
    batch = batches.declare_batch(request.auth, **payload.dict())
    return Status(201, _batch_out(request.auth, batch))


@router.get("/batches", response={200: list[ChainBatchOut], **ERRORS}, summary="List batches")
def list_batches(request, after: int | None = None, coded: Literal["", "yes", "no"] = ""):
    """Your batches (an enterprise: those it holds or held), newest first, 50 a page; pass
    the last id as `after` for the next."""
    require(request.auth, Capability.VIEW_COLDCHAIN)
    rows = queries.batch_page(request.auth, after=after, coded=coded)
    return [_batch_out(request.auth, b) for b in rows]


@router.get("/batches/{batch_id}", response={200: ChainBatchOut, **ERRORS}, summary="One batch")
def get_batch(request, batch_id: int = ID):
    return _batch_out(request.auth, _batch(request.auth, batch_id))


@router.post(
    "/batches/{batch_id}/certificates",
    response={201: TraceCodeOut | None, **ERRORS},
    summary="Attach a certificate",
)
def attach_certificate(
    request,
    batch_id: int = ID,
    kind: Literal[tuple(Certificate.Kind.values)] = CERT_KIND,
    number: str = CERT_NUMBER,
    issued_on: date = ISSUED_ON,
    valid_until: date = VALID_UNTIL,
    file: UploadedFile = CERT_FILE,
):
    """multipart/form-data. A file that is not a PDF or an image by its content, or a
    certificate past its validity, is refused naming the field; nothing is stored."""
    batch = _batch(request.auth, batch_id)
    batches.attach_certificate(
        request.auth,
        batch,
        kind=kind,
        number=number,
        issued_on=issued_on,
        valid_until=valid_until,
        upload=file,
    )
    return Status(201, None)


@router.post("/batches/{batch_id}/code", response={201: TraceCodeOut, **ERRORS}, summary="Code")
def code_batch(request, batch_id: int = ID):
    """The trace code, given only when the three certificates are attached and valid;
    else 422 naming each missing one (`certificates.customs` ...)."""
    batch = _batch(request.auth, batch_id)
    return Status(201, {"trace_code": batches.code_batch(request.auth, batch)})


@router.get("/batches/{batch_id}/epcis", response={200: dict, **ERRORS}, summary="EPCIS 2.0")
def batch_epcis(request, batch_id: int = ID):
    """The batch's events you may see as a GS1 EPCIS 2.0 JSON document. Audited."""
    batch = _batch(request.auth, batch_id)
    audit.record(request.auth, "coldchain.epcis.export", batch)
    return epcis.document(batch, queries.events_of(request.auth, batch))


@router.post("/dispatches", response={201: ChainEventOut, **ERRORS}, summary="Record a dispatch")
def dispatch(request, payload: ChainDispatchIn):
    return Status(
        201,
        movements.dispatch(
            request.auth,
            payload.trace_code,
            to_credit_code=payload.to_credit_code,
            quantity=payload.quantity,
            at=_aware(payload.at),
        ),
    )


@router.post("/receipts", response={201: ChainEventOut, **ERRORS}, summary="Record a receipt")
def receive(request, payload: ChainReceiptIn):
    return Status(
        201,
        movements.receive(
            request.auth,
            payload.trace_code,
            quantity=payload.quantity,
            from_credit_code=payload.from_credit_code,
            at=_aware(payload.at),
        ),
    )


@router.post("/sales", response={201: ChainEventOut, **ERRORS}, summary="Record a sale")
def sell(request, payload: ChainSaleIn):
    return Status(
        201,
        movements.sell(
            request.auth, payload.trace_code, quantity=payload.quantity, at=_aware(payload.at)
        ),
    )


@router.post(
    "/positive-samples", response={201: PositiveSampleOut, **ERRORS}, summary="Record a positive"
)
def record_positive(request, payload: PositiveSampleIn):
    """The city command office records a positive sample: traced forward and back, the
    downstream stock sealed, the holders' staff listed for testing, a task per county."""
    values = payload.dict()
    values["sampled_at"] = _aware(values["sampled_at"])
    result = positives.record_positive_sample(request.auth, **values)
    sample = result.sample
    return Status(
        201,
        {
            "id": sample.pk,
            "batches_sealed": sample.batches_sealed,
            "packages_sealed": sample.packages_sealed,
            "staff_listed": sample.staff_listed,
            "tasks": [t.pk for t in result.tasks],
            "counties_without_office": result.counties_without_office,
            "reached": result.reached,
        },
    )
