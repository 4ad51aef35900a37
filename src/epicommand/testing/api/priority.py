"""/api/v1/testing/priority: the priority-testing list as the sampling teams work it:
each listed person (close contacts, suspected cases, fever-clinic patients, checkpoint
fevers not yet sampled) with the nearest sampling site or a door-to-door slot, the
deadline and whether it is overdue; and sampling a listed person into a single tube.
Scoped by the person's region of residence (outside it: 404); the list reads through
control.queries.checkpoints.priority_test_page, the plan and the sampling through
testing.services.priority."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.control.queries import checkpoints as control_queries
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.keyset import MAX_ID

from ..models import PriorityTest, SamplingSite
from ..services import priority as services

router = Router(tags=["Priority testing"])

C = Capability
REASONS = "^(" + "|".join(PriorityTest.Reason.values) + ")?$"


class PrioritySiteOut(Schema):
    id: int
    name: str
    address: str
    region_code: str = Field(alias="region_id")
    latitude: float
    longitude: float


class PriorityPlanOut(Schema):
    door_to_door: bool = Field(description="a team samples the person at home")
    slot_start: datetime | None = Field(
        description="door to door: the visit's hour; else when the site is next open"
    )
    slot_end: datetime | None
    site: PrioritySiteOut | None = Field(description="the nearest sampling site in use")
    distance_km: float | None = Field(description="from the person's village to the site")
    site_closed_until_deadline: bool


class PriorityEntryOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person_masked_name", description="masked")
    masked_id: str = Field(alias="person.masked_id")
    masked_phone: str = Field(alias="person.masked_phone")
    region_code: str = Field(alias="region_id", description="the person's region of residence")
    region_name: str = Field(alias="region.name")
    reason: str
    detail: str
    listed_at: datetime
    deadline: datetime
    overdue: bool
    sampled_at: datetime | None
    plan: PriorityPlanOut


class PriorityEntryPage(Schema):
    items: list[PriorityEntryOut]
    next_after: str | None = Field(description="Opaque cursor for the next page.")


class PrioritySampleIn(Schema):
    tube_barcode: str = Field(max_length=32, description="a new single tube")
    door_to_door: bool | None = Field(
        None,
        description="sampled at home; by default yes for close contacts and suspected cases",
    )
    site_id: int | None = Field(None, ge=1, le=MAX_ID, description="the site, if sampled at one")
    client_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="a replay changes nothing"
    )


class PrioritySampleOut(Schema):
    sample_id: int = Field(alias="id")
    tube_barcode: str = Field(alias="tube.barcode")
    person_id: int
    sampled_at: datetime
    door_to_door: bool


@router.get("", response={200: PriorityEntryPage, **ERRORS}, summary="The priority list")
def list_entries(
    request,
    region: str | None = region_filter(),
    reason: str = Query("", pattern=REASONS),
    overdue: bool = False,
    include_sampled: bool = False,
    after: str | None = Query(None, max_length=40, pattern=r"^[0-9]+-[0-9]+$"),
    limit: int = Query(control_queries.PAGE_SIZE, ge=1, le=control_queries.MAX_PAGE),
):
    """Persons living in your jurisdiction to sample first, the earliest deadline first,
    each with where and when to sample them."""
    require(request.auth, C.VIEW_PRIORITY_TESTS)
    filters = control_queries.PriorityFilter(
        region=region, overdue=overdue, include_sampled=include_sampled, reason=reason
    )
    rows, next_after = control_queries.priority_test_page(
        request.auth, filters, after=after, limit=limit
    )
    services.plan_for(rows)
    return {"items": rows, "next_after": next_after}


@router.post(
    "/{entry_id}/sample",
    response={201: PrioritySampleOut, **ERRORS},
    summary="Sample a listed person",
)
def sample_entry(request, payload: PrioritySampleIn, entry_id: int = Path(..., ge=1, le=MAX_ID)):
    """Take the person's swab into a new single tube; the entry (and any other waiting
    entry of theirs) is marked sampled."""
    require(request.auth, C.SAMPLE)
    entry = get_object_or_404(PriorityTest.objects.visible_to(request.auth), pk=entry_id)
    site = None
    if payload.site_id is not None:
        site = get_object_or_404(SamplingSite.objects.visible_to(request.auth), pk=payload.site_id)
    sample = services.sample_entry(
        request.auth,
        entry,
        tube_barcode=payload.tube_barcode,
        door_to_door=payload.door_to_door,
        site=site,
        client_id=payload.client_id,
    )
    return Status(201, sample)
