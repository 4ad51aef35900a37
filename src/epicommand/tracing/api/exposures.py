"""/api/v1/exposures: persons exposed to a place or goods found positive (the staff of
cold-chain holders a positive sample reached), for the county where each lives to
investigate. Scoped by the person's region: another county's exposure is 404. The list
masks ID numbers and phones; one exposure in full is audited. Reading needs VIEW_CASES,
marking one investigated INVESTIGATE over the person's region."""

from datetime import datetime
from typing import Literal

from ninja import Field, Path, Query, Router, Schema

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID

from ..models import Exposure
from ..queries import exposures as queries
from ..services import exposures as services

router = Router(tags=["Exposures"])

C = Capability
ID = Path(..., ge=1, le=MAX_ID)
StatusCode = Literal[tuple(Exposure.Status.values)]


class ExposureItem(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    masked_id: str = Field(alias="person.masked_id")
    masked_phone: str = Field(alias="person.masked_phone")
    region_code: str = Field(alias="region_id", description="the person's region of residence")
    source_key: str = Field(description='where it came from, e.g. "coldchain.sample:12:34"')
    place: str = Field(description="the place or holder found positive")
    reason: str
    exposed_at: datetime
    found_at: datetime
    status: str = Field(description="open (to investigate) or done (investigated)")
    investigated_at: datetime | None


class ExposureOut(ExposureItem):
    """One exposure in full (audited)."""

    id_number: str
    phone: str
    address: str

    @staticmethod
    def resolve_id_number(obj) -> str:
        return obj.person.id_number or obj.person.passport_number

    @staticmethod
    def resolve_phone(obj) -> str:
        return obj.person.phone

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.person.address


class ExposurePage(Schema):
    items: list[ExposureItem]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


@router.get("", response={200: ExposurePage, **ERRORS}, summary="List exposures")
def list_exposures(
    request,
    status: StatusCode | None = None,
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Persons living in your jurisdiction exposed to a positive place or goods, newest
    first."""
    require(request.auth, C.VIEW_CASES)
    rows, next_after = queries.exposure_page(
        request.auth, status=status or "", after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.get("/{exposure_id}", response={200: ExposureOut, **ERRORS}, summary="One exposure")
def get_exposure(request, exposure_id: int = ID):
    """The exposure with the person in full. Audited."""
    require(request.auth, C.VIEW_CASES)
    exposure = queries.visible_exposure(request.auth, exposure_id)
    audit.record(request.auth, "exposure.view", exposure, reason="api")
    return exposure


@router.post(
    "/{exposure_id}/investigated",
    response={200: ExposureOut, **ERRORS},
    summary="Mark an exposure investigated",
)
def mark_investigated(request, exposure_id: int = ID):
    """The person has been tested and interviewed; found infected, register them as a case."""
    require(request.auth, C.INVESTIGATE)
    exposure = queries.visible_exposure(request.auth, exposure_id)
    services.mark_investigated(request.auth, exposure)
    return queries.visible_exposure(request.auth, exposure_id)
