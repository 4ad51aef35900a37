"""/api/v1/testing/samples: sampling devices post batches of swabs registered into tubes,
close a tube early, read a tube; staff look up a person's samples. See the API guide,
"Sampling"."""

from datetime import datetime
from typing import Annotated, Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from pydantic import WithJsonSchema

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import (
    BATCH_ERRORS,
    ERRORS,
    BatchItemOut,
    BatchOut,
    batch_response,
)
from epicommand.core.keyset import MAX_ID
from epicommand.people.models import Person

from ..models import SamplingSite
from ..queries.samples import PERSON_PAGE, samples_of_person, tube_members, visible_tube
from ..services import sampling, tubes

router = Router(tags=["Samples"])

BARCODE = Path(..., max_length=32, description="the tube's 12-digit barcode")


class SamplingItemIn(Schema):
    """One swab. Identify the person by exactly one of `person_id`, `id_number` or
    `health_code`."""

    client_id: str = Field(
        description="The device's own id for this swab, 1 to 64 characters, unique across "
        "everything it sends: a retried batch with the same ids adds nothing."
    )
    tube: str = Field(description="The tube's barcode: 12 digits, the last a Luhn check digit.")
    person_id: int | None = None
    id_number: str | None = Field(None, description="National ID number (18 characters).")
    health_code: str | None = Field(
        None, description="The health-code QR token the person showed (HC1:...)."
    )
    sampled_at: datetime | None = Field(
        None,
        description="When the swab was taken, ISO 8601 (without an offset: Asia/Shanghai); "
        "default now. Refused more than 5 minutes ahead or over 7 days ago.",
    )
    round_id: int | None = Field(None, description="The testing round it counts for.")
    door_to_door: bool = False
    resample: bool = Field(
        False, description="A deliberate second swab of a person already sampled in the round."
    )


# Items reach core.intake as sent, so that every error reads `items[3].tube` alike and
# the whole batch is checked in one pass; the document still describes each item.
ITEMS_SCHEMA = {
    "type": "array",
    "maxItems": sampling.MAX_BATCH,
    "items": SamplingItemIn.model_json_schema(),
    "description": f"1 to {sampling.MAX_BATCH:,} swabs",
}


class SamplingBatchIn(Schema):
    site_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The sampling site of the table; null for door-to-door sampling.",
    )
    items: Annotated[list[Any], WithJsonSchema(ITEMS_SCHEMA)]


class SamplingOutcomeOut(BatchItemOut):
    tube: str
    members: int = Field(description="swabs in the tube now")
    capacity: int = Field(description="the tube's pool size")
    closed: bool


class SamplingBatchOut(BatchOut):
    tubes_closed: list[str] = Field(description="barcodes of the tubes this batch filled")
    items: list[SamplingOutcomeOut]


class TubeMemberOut(Schema):
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    region_code: str
    sampled_at: datetime
    status: str


class SamplingTubeOut(Schema):
    barcode: str
    purpose: str
    status: str
    round_id: int | None
    site_id: int | None
    region_code: str = Field(alias="region_id")
    capacity: int
    members: int
    opened_at: datetime
    closed_at: datetime | None
    result: str


class SamplingTubeDetailOut(SamplingTubeOut):
    listed: list[TubeMemberOut] = Field(
        description="The members in your scope, masked; empty for roles that do not see persons."
    )


class PersonSampleOut(Schema):
    id: int
    client_id: str
    tube: str = Field(alias="tube.barcode")
    pool_size: int = Field(alias="tube.capacity")
    round_id: int | None
    site_id: int | None = Field(alias="tube.site_id")
    sampled_at: datetime
    door_to_door: bool
    resample: bool
    status: str = Field(description="the person's own result; empty while awaited")


class PersonSamplePage(Schema):
    items: list[PersonSampleOut]
    next_before: int | None = Field(description="pass as `before` for older samples")


@router.post(
    "/batch", response={200: SamplingBatchOut, **BATCH_ERRORS}, summary="Register a batch of swabs"
)
def register_batch(request, payload: SamplingBatchIn):
    """Up to 5,000 swabs at one site (or door to door), by the contract of
    docs/api-guide.md "Device and lab batches": if any item is wrong nothing is registered
    and the 422 answer lists every error as `items[3].tube`; items whose client id is
    stored already are `replayed`. A tube fills to its pool size and closes. A site
    outside your jurisdiction is 404."""
    require(request.auth, Capability.SAMPLE)
    site = None
    if payload.site_id is not None:
        site = get_object_or_404(
            SamplingSite.objects.visible_to(request.auth), pk=payload.site_id, is_active=True
        )
    return batch_response(sampling.register_samples(request.auth, payload.items, site=site))


@router.post(
    "/tubes/{barcode}/close",
    response={200: SamplingTubeOut, **ERRORS},
    summary="Close a tube before it is full",
)
def close_tube(request, barcode: str = BARCODE):
    """The table ends a pool early; the tube goes to its box with the swabs it holds.
    A tube already closed is 422; a tube outside your jurisdiction is 404."""
    require(request.auth, Capability.SAMPLE)
    tube = visible_tube(request.auth, barcode)
    if tube is None:
        raise Http404
    return tubes.close_tube(request.auth, tube)


@router.get("/tubes/{barcode}", response={200: SamplingTubeDetailOut, **ERRORS}, summary="A tube")
def tube_detail(request, barcode: str = BARCODE):
    """A tube's pool size, swabs and status, with its members masked."""
    require(request.auth, Capability.VIEW_TESTING)
    tube = visible_tube(request.auth, barcode)
    if tube is None:
        raise Http404
    tube.listed = tube_members(request.auth, tube)
    return tube


@router.get("", response={200: PersonSamplePage, **ERRORS}, summary="A person's samples")
def person_samples(
    request,
    person_id: int = Query(..., ge=1, le=MAX_ID),
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(PERSON_PAGE, ge=1, le=PERSON_PAGE),
):
    """The samples of one person in your jurisdiction, newest first; the look-up is
    audited. A person outside your jurisdiction is 404."""
    require(request.auth, Capability.VIEW_TESTING)
    require(request.auth, Capability.VIEW_PERSONS)
    person = get_object_or_404(Person.objects.visible_to(request.auth), pk=person_id)
    audit.record(request.auth, "sample.view_person", person, reason="api")
    rows, next_before = samples_of_person(request.auth, person, before=before, limit=limit)
    return {"items": rows, "next_before": next_before}
