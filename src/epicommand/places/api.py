from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, choices, region_filter

from . import services
from .codes import InvalidPlaceCode, place_code, resolve_place_code
from .models import Venue
from .posters import poster_png, poster_svg

router = Router(tags=["places"])

VenueKind = choices(Venue.Kind, "VenueKind")


class VenueOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    region_code: str = Field(alias="region_id")
    latitude: float
    longitude: float


class VenueDetail(VenueOut):
    place_code: str

    @staticmethod
    def resolve_place_code(obj):
        return place_code(obj)


class VenuePage(Schema):
    items: list[VenueOut]
    next_after: int | None


class VenueIn(Schema):
    name: str
    kind: VenueKind
    address: str = ""
    region_code: str
    latitude: float
    longitude: float


class PlaceCodeIn(Schema):
    token: str


@router.get("", response={200: VenuePage, **ERRORS}, summary="Venues")
def list_venues(
    request,
    region: str | None = region_filter(),
    kind: VenueKind | None = None,
    after: int | None = None,
    limit: int = Query(50, ge=1, le=500),
):
    require(request.auth, Capability.VIEW_PLACES)
    qs = Venue.objects.all()
    if region:
        qs = qs.in_region(region)
    if kind:
        qs = qs.filter(kind=kind)
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    return {"items": rows[:limit], "next_after": rows[limit - 1].id if len(rows) > limit else None}


@router.post("", response={201: VenueDetail, **ERRORS}, summary="Register a venue")
def create_venue(request, payload: VenueIn):
    require(request.auth, Capability.EDIT_PLACES)
    data = payload.dict()
    data["region_id"] = data.pop("region_code")
    return Status(201, services.register_venue(request.auth, **data))


@router.post(
    "/resolve-code",
    response={200: VenueOut, **ERRORS},
    summary="Which venue a scanned place code belongs to",
)
def resolve_code(request, payload: PlaceCodeIn):
    """Refuses (404) a token that was tampered with, guessed or rotated away."""
    try:
        return resolve_place_code(payload.token)
    except InvalidPlaceCode:
        return Status(
            404,
            {
                "detail": "not a valid place code",
                "errors": [{"field": "token", "message": "signature or venue does not match"}],
            },
        )


@router.get("/{venue_id}", response={200: VenueDetail, **ERRORS}, summary="One venue")
def get_venue(request, venue_id: int):
    require(request.auth, Capability.VIEW_PLACES)
    return get_object_or_404(Venue, pk=venue_id)


@router.get(
    "/{venue_id}/poster.{fmt}",
    response={200: None, **ERRORS},
    summary="Printable place-code poster (png or svg)",
    openapi_extra={"responses": {200: {"content": {"image/png": {}, "image/svg+xml": {}}}}},
)
def venue_poster(request, venue_id: int, fmt: str):
    require(request.auth, Capability.VIEW_PLACES)
    venue = get_object_or_404(Venue, pk=venue_id)
    base = request.build_absolute_uri("/")
    if fmt == "svg":
        return HttpResponse(poster_svg(venue, base), content_type="image/svg+xml")
    if fmt == "png":
        return HttpResponse(poster_png(venue, base), content_type="image/png")
    return Status(
        404, {"detail": "not found", "errors": [{"field": "fmt", "message": "png or svg"}]}
    )
