from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .access import Capability, require
from .api_schemas import ERRORS
from .models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    is_urban: bool

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent_id


@router.get("", response={200: list[RegionOut], **ERRORS}, summary="Regions under a parent")
def list_regions(request, parent: str | None = None):
    """The children of `parent` (a region code), or the city when no parent is given."""
    require(request.auth, Capability.VIEW_REGIONS)
    qs = Region.objects.filter(parent_id=parent) if parent else Region.objects.filter(level=1)
    return list(qs.order_by("code"))


@router.get("/{code}", response={200: RegionOut, **ERRORS}, summary="One region")
def get_region(request, code: str):
    require(request.auth, Capability.VIEW_REGIONS)
    return get_object_or_404(Region, code=code)
