"""/api/v1/quarantine/sites: quarantine sites and their rooms, citywide occupancy and the
capacity forecast. Reads start from Site/Room `visible_to(caller)` (a site outside the
caller's jurisdiction is 404); changes go through quarantine.services.sites (audited):
setting sites up needs MANAGE_QUARANTINE_SITES, a room's status WORK_QUARANTINE too."""

from contextlib import contextmanager
from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, choices, region_filter, request_field_names
from epicommand.core.keyset import MAX_ID

from ..models import Room, Site
from ..queries import sites as queries
from ..services import capacity
from ..services import sites as services

SiteKind = choices(Site.Kind, "SiteKind")
RoomKind = choices(Room.Kind, "RoomKind")

router = Router(tags=["quarantine sites"])

C = Capability
SITE_ID = Path(..., ge=1, le=MAX_ID)
ROOM_ID = Path(..., ge=1, le=MAX_ID)


class RoomCountsOut(Schema):
    free: int
    occupied: int
    cleaning: int
    out_of_service: int
    total: int


class SiteOut(Schema):
    id: int
    name: str
    kind: str = Field(description="hotel, camp or ward")
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    address: str
    latitude: float
    longitude: float
    unit_id: int = Field(description="the responsible unit")
    manager: str | None = Field(description="the site manager's user name")
    manager_phone: str
    is_active: bool
    rooms: RoomCountsOut

    @staticmethod
    def resolve_manager(site) -> str | None:
        return site.manager.username if site.manager_id else None

    @staticmethod
    def resolve_rooms(site):
        return getattr(site, "counts", None) or queries.RoomCounts()


class SitePage(Schema):
    items: list[SiteOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class SiteIn(Schema):
    name: str = Field(max_length=150)
    kind: SiteKind
    region_code: str = Field(
        pattern=r"^[0-9]{6,12}$", description="the county, township or village it stands in"
    )
    address: str = Field(max_length=200)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    unit_id: int = Field(ge=1, le=MAX_ID, description="the responsible unit")
    manager_id: int | None = Field(None, ge=1, le=MAX_ID, description="the site manager (a user)")
    manager_phone: str = Field("", max_length=20)
    is_active: bool = True


class SitePatchIn(Schema):
    name: str | None = Field(None, max_length=150)
    kind: SiteKind | None = None
    region_code: str | None = Field(None, pattern=r"^[0-9]{6,12}$")
    address: str | None = Field(None, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    manager_id: int | None = Field(None, ge=1, le=MAX_ID)
    manager_phone: str | None = Field(None, max_length=20)
    is_active: bool | None = None
    reason: str = Field("", max_length=500)


class RoomsIn(Schema):
    building: str = Field("", max_length=20)
    floor_from: int = Field(ge=-5, le=services.MAX_FLOOR)
    floor_to: int = Field(ge=-5, le=services.MAX_FLOOR)
    rooms_per_floor: int = Field(ge=1, le=services.MAX_ROOMS_PER_ACTION)
    kind: RoomKind = Room.Kind.SINGLE
    beds: int = Field(1, ge=1, le=services.MAX_BEDS)


class RoomsAddedOut(Schema):
    added: int
    rooms: RoomCountsOut


class RoomOut(Schema):
    id: int
    building: str
    floor: int
    number: str
    kind: str
    beds: int
    status: str = Field(description="free, occupied, cleaning or out_of_service")
    occupants: int


class RoomPage(Schema):
    items: list[RoomOut]
    next_after: int | None


class RoomStatusIn(Schema):
    status: Literal["free", "cleaning", "out_of_service"]
    reason: str = Field("", max_length=500)


class CountyOccupancyOut(Schema):
    region_code: str
    region_name: str
    stays_in_site: int = Field(description="persons in transfer or in a site")
    stays_home: int = Field(description="persons under home health monitoring")
    rooms_free: int


class SiteOccupancyOut(Schema):
    site_id: int
    name: str
    region_code: str
    rooms: RoomCountsOut
    stays_in_site: int


class OccupancyOut(Schema):
    day: date
    total: CountyOccupancyOut = Field(description="your city or county")
    counties: list[CountyOccupancyOut]
    sites: list[SiteOccupancyOut]


class ForecastDayOut(Schema):
    day: date
    released: float = Field(description="rooms freed by planned releases that day")
    expected: float = Field(description="expected new contacts that day")
    balance: float = Field(description="rooms left at the end of the day (negative: short)")


class ForecastOut(Schema):
    label: str
    site_id: int | None
    today: date
    free_now: float
    waiting: float = Field(description="contacts identified and not yet in a stay")
    expected_per_day: float
    warning_days: int
    runs_out_on: date | None
    warning: bool = Field(description="the rooms run out within the warning days")
    days: list[ForecastDayOut]


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


def _site_out(site: Site) -> Site:
    site.counts = queries.room_counts([site.pk]).get(site.pk, queries.RoomCounts())
    return site


def _county_out(row: queries.CountyOccupancy) -> dict:
    return {
        "region_code": row.region.code,
        "region_name": row.region.name,
        "stays_in_site": row.stays_in_site,
        "stays_home": row.stays_home,
        "rooms_free": row.rooms_free,
    }


def _scope_name(who) -> str:
    region = getattr(who, "scope_region", None) or getattr(who, "region", None)
    return region.name if region is not None else ""


def _forecast_out(forecast: capacity.Forecast) -> dict:
    return {
        "label": forecast.label,
        "site_id": forecast.site.pk if forecast.site else None,
        "today": forecast.today,
        "free_now": forecast.free_now,
        "waiting": forecast.waiting,
        "expected_per_day": forecast.expected_per_day,
        "warning_days": forecast.warning_days,
        "runs_out_on": forecast.runs_out_on,
        "warning": forecast.warning,
        "days": forecast.days,
    }


@router.get("", response={200: SitePage, **ERRORS}, summary="List quarantine sites")
def list_sites(
    request,
    region: str | None = region_filter(),
    kind: SiteKind | None = None,
    active: bool | None = None,
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """Sites in your jurisdiction, by id, each with its rooms by status."""
    require(request.auth, C.VIEW_QUARANTINE)
    rows, next_after = queries.site_page(
        request.auth,
        region=region,
        kind=kind.value if kind else "",
        active=active,
        after=after,
        limit=limit,
    )
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: SiteOut, **ERRORS}, summary="Set up a quarantine site")
def create_site(request, payload: SiteIn):
    """A hotel, camp or observation ward in your jurisdiction; add rooms next."""
    data = payload.dict()
    data["region_id"] = data.pop("region_code")
    data["kind"] = payload.kind.value
    with request_field_names(region_id="region_code"):
        site = services.create_site(request.auth, **data)
    return Status(201, _site_out(queries.visible_site(request.auth, site.pk)))


@router.get("/occupancy", response={200: OccupancyOut, **ERRORS}, summary="Citywide occupancy")
def occupancy(request):
    """Persons in sites and at home and free rooms per county (from the counters), and each
    site's rooms by status. 404 for a jurisdiction narrower than a county."""
    require(request.auth, C.VIEW_QUARANTINE)
    found = queries.occupancy(request.auth)
    if found is None:
        raise Http404("no occupancy for a jurisdiction narrower than a county")
    return {
        "day": found.day,
        "total": _county_out(found.focus),
        "counties": [_county_out(c) for c in found.counties],
        "sites": [
            {
                "site_id": row.site.pk,
                "name": row.site.name,
                "region_code": row.site.region_id,
                "rooms": row.rooms,
                "stays_in_site": row.stays_in_site,
            }
            for row in found.sites
        ],
    }


@router.get("/forecast", response={200: list[ForecastOut], **ERRORS}, summary="Capacity forecast")
def forecast(
    request,
    site_id: int | None = Query(None, ge=1, le=MAX_ID, description="one site's forecast"),
    per_site: bool = Query(False, description="every site's forecast after the total"),
    days: int | None = Query(None, ge=1, le=capacity.MAX_DAYS),
):
    """The running balance of rooms over the coming days (see docs/api-guide.md): your
    jurisdiction's total first, then each site with `per_site`; or one site's alone."""
    require(request.auth, C.VIEW_QUARANTINE)
    if site_id is not None:
        site = queries.visible_site(request.auth, site_id)
        return [
            _forecast_out(f) for f in capacity.site_forecasts(request.auth, site=site, days=days)
        ]
    total, sites = capacity.overview(request.auth, days=days, label=_scope_name(request.auth))
    return [_forecast_out(f) for f in [total, *(sites if per_site else [])]]


@router.get("/{site_id}", response={200: SiteOut, **ERRORS}, summary="One quarantine site")
def get_site(request, site_id: int = SITE_ID):
    require(request.auth, C.VIEW_QUARANTINE)
    return _site_out(queries.visible_site(request.auth, site_id))


@router.patch("/{site_id}", response={200: SiteOut, **ERRORS}, summary="Change a site")
def update_site(request, payload: SitePatchIn, site_id: int = SITE_ID):
    """Only the fields given change; taking a site out of use (`is_active: false`) takes
    its free rooms out of the free-room count. A site with rooms keeps its region."""
    site = queries.visible_site(request.auth, site_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "region_code" in changes:
        changes["region_id"] = changes.pop("region_code")
    if changes.get("kind") is not None:
        changes["kind"] = changes["kind"].value
    with request_field_names(region_id="region_code"):
        services.update_site(request.auth, site, reason=reason, **changes)
    return _site_out(queries.visible_site(request.auth, site_id))


@router.get("/{site_id}/rooms", response={200: RoomPage, **ERRORS}, summary="A site's rooms")
def list_rooms(
    request,
    site_id: int = SITE_ID,
    building: str | None = Query(None, max_length=20),
    floor: int | None = Query(None, ge=-5, le=services.MAX_FLOOR),
    status: choices(Room.Status, "RoomStatus") | None = None,
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(200, ge=1, le=2000),
):
    """The site's rooms by id (their order of creation: building, floor, number)."""
    require(request.auth, C.VIEW_QUARANTINE)
    site = queries.visible_site(request.auth, site_id)
    rows = Room.objects.filter(site=site)
    if building is not None:
        rows = rows.filter(building=building)
    if floor is not None:
        rows = rows.filter(floor=floor)
    if status is not None:
        rows = rows.filter(status=status.value)
    if after:
        rows = rows.filter(pk__gt=after)
    found = list(rows.order_by("id")[: limit + 1])
    return {
        "items": found[:limit],
        "next_after": found[limit - 1].pk if len(found) > limit else None,
    }


@router.post(
    "/{site_id}/rooms", response={201: RoomsAddedOut, **ERRORS}, summary="Add rooms in bulk"
)
def add_rooms(request, payload: RoomsIn, site_id: int = SITE_ID):
    """`rooms_per_floor` rooms on every floor from `floor_from` to `floor_to` of a building,
    numbered floor then place (101..140; 10001..11039 for 1,039 a floor); at most 10,000 in
    one request. Refused whole (422) if a number exists already in that building."""
    site = queries.visible_site(request.auth, site_id)
    data = payload.dict()
    data["kind"] = payload.kind.value
    added = services.add_rooms(request.auth, site, **data)
    counts = queries.room_counts([site.pk]).get(site.pk, queries.RoomCounts())
    return Status(201, {"added": added, "rooms": counts})


@router.post(
    "/{site_id}/rooms/{room_id}/status",
    response={200: RoomOut, **ERRORS},
    summary="Set a room's status",
)
def set_room_status(request, payload: RoomStatusIn, site_id: int = SITE_ID, room_id: int = SITE_ID):
    """Cleaning done (`free`), `cleaning`, `out_of_service`. An occupied room changes only
    with its stays: 422."""
    site = queries.visible_site(request.auth, site_id)
    room = queries.visible_room(request.auth, site, room_id)
    return services.set_room_status(request.auth, room, payload.status, reason=payload.reason)
