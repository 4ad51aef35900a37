"""/api/v1/testing/sites: sampling sites. Reads need VIEW_TESTING and start from the sites
in the caller's jurisdiction (any other is 404); setting up and changing need
MANAGE_TESTING and go through testing.services.sites (audited)."""

from contextlib import contextmanager
from datetime import time

from django.core.exceptions import ValidationError
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter, request_field_names
from epicommand.core.keyset import MAX_ID

from ..models import SamplingSite
from ..queries import rounds as queries
from ..services import sites as services

router = Router(tags=["Sampling sites"])

C = Capability
SITE_ID = Path(..., ge=1, le=MAX_ID)


class SamplingSiteOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    address: str
    latitude: float
    longitude: float
    tables: int
    opens_at: time = Field(description="local time (Asia/Shanghai)")
    closes_at: time
    per_table_hour: int = Field(description="people a table samples in an hour")
    is_active: bool


class SamplingSitePage(Schema):
    items: list[SamplingSiteOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class SamplingSiteIn(Schema):
    name: str = Field(max_length=150)
    region_code: str = Field(pattern=r"^[0-9]{6,12}$", description="county, township or village")
    address: str = Field(max_length=200)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    tables: int = Field(ge=1, le=services.MAX_TABLES)
    opens_at: time
    closes_at: time
    per_table_hour: int = Field(ge=1, le=services.MAX_PER_TABLE_HOUR)
    is_active: bool = True


class SamplingSitePatchIn(Schema):
    name: str | None = Field(None, max_length=150)
    region_code: str | None = Field(None, pattern=r"^[0-9]{6,12}$")
    address: str | None = Field(None, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    tables: int | None = Field(None, ge=1, le=services.MAX_TABLES)
    opens_at: time | None = None
    closes_at: time | None = None
    per_table_hour: int | None = Field(None, ge=1, le=services.MAX_PER_TABLE_HOUR)
    is_active: bool | None = None
    reason: str = Field("", max_length=500)


@contextmanager
def _api_field_names():
    """The service names the region `region_id`; this API calls it `region_code`."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {("region_code" if k == "region_id" else k): v for k, v in exc.message_dict.items()}
        ) from None


@router.get("", response={200: SamplingSitePage, **ERRORS}, summary="List sampling sites")
def list_sites(
    request,
    region: str | None = region_filter(),
    active: bool | None = None,
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """Sites in your jurisdiction, by id."""
    require(request.auth, C.VIEW_TESTING)
    rows, next_after = queries.site_page(
        request.auth, region=region, active=active, after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: SamplingSiteOut, **ERRORS}, summary="Set up a sampling site")
def create_site(request, payload: SamplingSiteIn):
    """A sampling point in your jurisdiction: its tables, hours and throughput."""
    data = payload.dict()
    data["region_id"] = data.pop("region_code")
    with request_field_names(region_id="region_code"):
        site = services.create_site(request.auth, **data)
    return Status(201, queries.visible_site(request.auth, site.pk))


@router.get("/{site_id}", response={200: SamplingSiteOut, **ERRORS}, summary="One sampling site")
def get_site(request, site_id: int = SITE_ID):
    require(request.auth, C.VIEW_TESTING)
    return queries.visible_site(request.auth, site_id)


@router.patch("/{site_id}", response={200: SamplingSiteOut, **ERRORS}, summary="Change a site")
def update_site(request, payload: SamplingSitePatchIn, site_id: int = SITE_ID):
    """Only the fields given change. Assignments made keep their slots: assign again."""
    site: SamplingSite = queries.visible_site(request.auth, site_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "region_code" in changes:
        changes["region_id"] = changes.pop("region_code")
    for name in [k for k, v in changes.items() if v is None]:
        changes.pop(name)
    with request_field_names(region_id="region_code"):
        services.update_site(request.auth, site, reason=reason, **changes)
    return queries.visible_site(request.auth, site_id)
