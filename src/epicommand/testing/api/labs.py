"""/api/v1/testing/labs: labs and their load, sealing boxes at a site, receiving them at a
lab, lab results (JSON rows, or a CSV/XLSX file), and recalls with their re-sampling.
Labs are those in the caller's jurisdiction (lab staff: their own lab); boxes are sealed
at a site in it; recalls are scoped by the person's community. Changes go through
testing.services (audited). See docs/api-guide.md "Labs and results"."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import WithJsonSchema

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import (
    BATCH_ERRORS,
    ERRORS,
    BatchItemOut,
    BatchOut,
    ErrorOut,
    batch_response,
    region_filter,
)
from epicommand.core.intake import MAX_ITEMS
from epicommand.core.keyset import MAX_ID
from epicommand.core.models import Unit

from ..models import SamplingSite
from ..queries import labs as queries
from ..result_files import record_results_file
from ..services import labs as services
from ..services import recalls as recall_services
from ..services.results import record_results

router = Router(tags=["Labs and results"])

RESULTS_FILE = File(..., description="CSV (UTF-8) or XLSX, one header line")


class LabOut(Schema):
    id: int
    name: str
    level: str = Field(description="city, county, mobile (air-dome) or third_party")
    region_code: str
    latitude: float
    longitude: float
    daily_capacity: int = Field(description="tubes a day")
    is_active: bool
    backlog: int = Field(description="tubes allocated or received and not yet resulted")
    room_today: int = Field(description="tubes it can still be allocated today")
    boxes_in_transit: int
    turnaround_hours: float = Field(description="backlog / daily capacity, in hours")


def _lab_out(load: queries.LabLoad) -> dict:
    lab = load.lab
    return {
        "id": lab.pk,
        "name": lab.name,
        "level": lab.level,
        "region_code": lab.region_id,
        "latitude": lab.latitude,
        "longitude": lab.longitude,
        "daily_capacity": lab.daily_capacity,
        "is_active": lab.is_active,
        "backlog": load.backlog,
        "room_today": load.room_today,
        "boxes_in_transit": load.boxes_in_transit,
        "turnaround_hours": load.turnaround_hours,
    }


class LabIn(Schema):
    name: str = Field(max_length=150)
    level: Literal["city", "county", "mobile", "third_party"]
    region_code: str = Field(pattern=r"^[0-9]{6,12}$")
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    daily_capacity: int = Field(ge=1, le=1_000_000, description="tubes a day")
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="the lab staff's unit")


class BoxSealIn(Schema):
    site_id: int = Field(ge=1, le=MAX_ID)
    barcode: str = Field(max_length=32, description="the box's barcode")
    tube_barcodes: list[str] = Field(min_length=1, max_length=services.MAX_BOX_TUBES)


class BoxReceiveIn(Schema):
    lab_id: int = Field(ge=1, le=MAX_ID, description="the receiving lab")


class BoxOut(Schema):
    barcode: str
    status: str = Field(description="sealed (in transit) or received")
    site_id: int | None
    lab_id: int | None = Field(description="null: no lab has room today; the box waits")
    lab_name: str | None
    tubes: int
    sealed_at: datetime | None
    allocated_at: datetime | None
    received_at: datetime | None
    replayed: bool = Field(False, description="the box was already received: nothing changed")

    @staticmethod
    def resolve_lab_name(obj) -> str | None:
        return obj.lab.name if obj.lab_id else None

    @staticmethod
    def resolve_replayed(obj) -> bool:
        return getattr(obj, "replayed", False)


class LabResultItemIn(Schema):
    client_id: str = Field(
        description="Your own id for this result, 1 to 64 letters, digits or . _ : -, unique "
        "in the batch."
    )
    tube: str = Field(max_length=32)
    result: Literal["negative", "positive", "invalid"]
    ct_orf1ab: float | None = Field(None, description="Ct value, within the edition's range")
    ct_n: float | None = None
    ct_e: float | None = None
    reagent: str = Field("", max_length=100)
    tested_at: datetime | None = Field(None, description="now if omitted; naive = Beijing")


# Items reach core.intake as sent, so every error reads `items[3].ct_n` alike.
ITEMS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_ITEMS,
    "items": LabResultItemIn.model_json_schema(),
    "description": f"1 to {MAX_ITEMS:,} results",
}


class LabResultsIn(Schema):
    lab_id: int = Field(ge=1, le=MAX_ID)
    items: Annotated[list[Any], WithJsonSchema(ITEMS_SCHEMA)]


class LabResultOut(BatchItemOut):
    tube: str
    result: str


class LabResultBatchOut(BatchOut):
    negative_tubes: int
    positive_pools: int
    positive_singles: int
    invalid_tubes: int
    released: int = Field(description="persons released negative")
    recalls_created: int = Field(description="persons sent to single re-sampling at home")
    recalls_resolved: int
    cases: int = Field(description="suspected cases registered for tracing")
    quarantine_tests: int = Field(description="required quarantine tests answered")
    notes: list[str]
    summary: str
    items: list[LabResultOut] = Field(
        description="one per item; `replayed`: the tube had this result already"
    )


class RecallOut(Schema):
    id: int
    status: str = Field(description="pending, sampled, negative or positive")
    reason: str = Field(description="positive_pool or invalid")
    person_id: int
    person_name: str = Field(alias="person.name")
    masked_id: str = Field(alias="person.masked_id")
    masked_phone: str = Field(alias="person.masked_phone")
    region_code: str = Field(alias="region_id")
    pool_tube: str = Field(alias="pool_sample.tube.barcode")
    single_tube: str | None
    created_at: datetime
    deadline: datetime
    overdue: bool
    resolved_at: datetime | None

    @staticmethod
    def resolve_reason(obj) -> str:
        return "invalid" if obj.pool_sample.tube.result == "invalid" else "positive_pool"

    @staticmethod
    def resolve_single_tube(obj) -> str | None:
        return obj.single_sample.tube.barcode if obj.single_sample_id else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return getattr(obj, "overdue", False)


class RecallPage(Schema):
    items: list[RecallOut]
    next_after: int | None = Field(description="Pass as `after` for the next page")


class RecallResampleIn(Schema):
    tube_barcode: str = Field(max_length=32)
    sampled_at: datetime | None = Field(None, description="now if omitted")
    client_id: str | None = Field(None, max_length=64, description="makes a retry safe")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@router.get("", response={200: list[LabOut], **ERRORS}, summary="Labs and their load")
def list_labs(request):
    """Each lab with its capacity, backlog, room left today and expected turnaround."""
    require(request.auth, Capability.VIEW_TESTING)
    return [_lab_out(load) for load in queries.lab_loads(request.auth)]


@router.post("", response={201: LabOut, **ERRORS}, summary="Set up a lab")
def create_lab(request, payload: LabIn):
    require(request.auth, Capability.MANAGE_TESTING)
    unit = Unit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    if payload.unit_id and unit is None:
        raise ValidationError({"unit_id": _("no unit has this id")})
    lab = services.create_lab(
        request.auth,
        name=payload.name,
        level=payload.level,
        region_code=payload.region_code,
        latitude=payload.latitude,
        longitude=payload.longitude,
        daily_capacity=payload.daily_capacity,
        unit=unit,
    )
    load = next(x for x in queries.lab_loads(request.auth) if x.lab.pk == lab.pk)
    return Status(201, _lab_out(load))


@router.post("/boxes", response={201: BoxOut, **ERRORS}, summary="Seal a box at a site")
def seal_box(request, payload: BoxSealIn):
    """Seal closed tubes of the site into a box; the platform allocates it to the nearest
    lab with room today (`lab_id` null: no lab has room, the box waits). A bad tube
    refuses the box: `tube_barcodes[3]` says why."""
    require(request.auth, Capability.SAMPLE)
    site = get_object_or_404(SamplingSite.objects.visible_to(request.auth), pk=payload.site_id)
    return Status(
        201, services.seal_box(request.auth, site, payload.barcode, payload.tube_barcodes)
    )


@router.post("/boxes/{barcode}/receive", response={200: BoxOut, **ERRORS}, summary="Receive a box")
def receive_box(request, payload: BoxReceiveIn, barcode: str = Path(..., max_length=32)):
    """The lab scans a box on arrival. Again: nothing changes (`replayed`)."""
    require(request.auth, Capability.RECORD_RESULTS)
    lab = queries.visible_lab(request.auth, payload.lab_id)
    return services.receive_box(request.auth, lab, barcode)


@router.post(
    "/results", response={200: LabResultBatchOut, **BATCH_ERRORS}, summary="Record results"
)
def post_results(request, payload: LabResultsIn):
    """Up to 5,000 results of tubes this lab received, by the contract of
    docs/api-guide.md "Device and lab batches": any bad item refuses the batch and the 422
    answer names `items[3].ct_n`. A tube sent again with the same result is `replayed`."""
    require(request.auth, Capability.RECORD_RESULTS)
    lab = queries.visible_lab(request.auth, payload.lab_id)
    return batch_response(record_results(request.auth, lab, payload.items))


@router.post(
    "/results/file",
    response={200: LabResultBatchOut, **ERRORS},
    summary="Record a results file (CSV or XLSX)",
)
def post_results_file(
    request, lab_id: int = Form(..., ge=1, le=MAX_ID), file: UploadedFile = RESULTS_FILE
):
    """A CSV or XLSX file with the header tube, result, ct_orf1ab, ct_n, ct_e, reagent,
    tested_at (and optionally client_id), up to 200,000 lines. Refused whole with errors
    by line and column (`lines[3].ct_n`)."""
    require(request.auth, Capability.RECORD_RESULTS)
    lab = queries.visible_lab(request.auth, lab_id)
    outcome = record_results_file(request.auth, lab, file, file.name or "")
    if outcome.batch is None:
        errors = [
            {
                "field": f"lines[{e.line}].{e.column}" if e.column else f"lines[{e.line}]",
                "message": e.message,
            }
            for e in outcome.errors
        ]
        return Status(422, ErrorOut(detail=outcome.summary, errors=errors))
    return batch_response(outcome.batch)


@router.get("/recalls", response={200: RecallPage, **ERRORS}, summary="Recalls")
def list_recalls(
    request,
    status: Literal["pending", "sampled", "negative", "positive"] | None = None,
    overdue: bool = Query(False, description="only those still to re-sample past deadline"),
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Members of positive (or invalid) pools to re-sample alone at home, newest first."""
    require(request.auth, Capability.VIEW_TESTING)
    rows, next_after = queries.recall_page(
        request.auth,
        status=status or "",
        region=region or "",
        overdue_only=overdue,
        after=after,
        limit=limit,
    )
    return {"items": rows, "next_after": next_after}


@router.post(
    "/recalls/{recall_id}/resample", response={200: RecallOut, **ERRORS}, summary="Re-sample"
)
def resample(request, payload: RecallResampleIn, recall_id: int = Path(..., ge=1, le=MAX_ID)):
    """The person's single sample taken at home, in a new 1:1 tube."""
    require(request.auth, Capability.SAMPLE)
    recall = queries.visible_recall(request.auth, recall_id)
    recall = recall_services.resample(
        request.auth,
        recall,
        tube_barcode=payload.tube_barcode,
        sampled_at=_aware(payload.sampled_at),
        client_id=payload.client_id,
    )
    recall.overdue = False
    return queries.visible_recall(request.auth, recall.pk)


# Last: "/{lab_id}" would otherwise take /boxes and /recalls.
@router.get("/{lab_id}", response={200: LabOut, **ERRORS}, summary="One lab")
def get_lab(request, lab_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, Capability.VIEW_TESTING)
    lab = queries.visible_lab(request.auth, lab_id)
    return _lab_out(next(x for x in queries.lab_loads(request.auth) if x.lab.pk == lab.pk))
