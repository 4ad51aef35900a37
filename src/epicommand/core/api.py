from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from . import queries, services
from .access import Capability, require
from .api_schemas import ERRORS
from .models import EditionChoice, Region

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


# Protocol editions (core.policy): which is in force, and the city office's switches.
editions = Router(tags=["policy"])


class EditionOut(Schema):
    code: str
    name: str
    lookback_days: int
    close_contact_centralized_days: int
    close_contact_home_days: int
    close_contact_test_days: list[int]
    home_monitoring_test_days: list[int]
    release_needs_double_test: bool
    secondary_contact_at_home: bool
    risk_visit_window_days: int
    risk_area_rule: str
    inbound_centralized_days: int
    inbound_home_days: int


class EditionChoiceOut(Schema):
    id: int
    edition: str
    in_force_from: datetime
    reason: str
    chosen_by: str
    created_at: datetime
    status: Literal["scheduled", "in_force", "superseded"] = Field(
        description="scheduled (its moment is to come), in force, or superseded by a later one"
    )

    @staticmethod
    def resolve_chosen_by(obj):
        return obj.chosen_by.username

    @staticmethod
    def resolve_status(obj):
        return getattr(obj, "status", queries.Status.SCHEDULED)


class EditionsOut(Schema):
    in_force: str = Field(description="the code of the edition in force now")
    default: str = Field(description="the edition in force before the first choice (setting)")
    editions: list[EditionOut]
    choices: list[EditionChoiceOut] = Field(description="newest moment first")


class EditionChoiceIn(Schema):
    edition: str = Field(max_length=4, description="an edition's code, as listed")
    in_force_from: datetime = Field(description="without a time zone: Beijing time")
    reason: str = Field(max_length=500)


@editions.get("", response={200: EditionsOut, **ERRORS}, summary="Protocol editions")
def list_editions(request):
    """Every edition with its key figures, the one in force now, and the city office's
    choices (who chose which edition from when, and why)."""
    require(request.auth, Capability.VIEW_POLICY)
    overview = queries.editions_overview()
    return {
        "in_force": overview.in_force.code,
        "default": overview.default.code,
        "editions": overview.editions,
        "choices": overview.choices,
    }


@editions.post(
    "", response={201: EditionChoiceOut, **ERRORS}, summary="Schedule a switch of edition"
)
def choose_edition(request, payload: EditionChoiceIn):
    """The city office (a person's account) puts an edition in force from a moment at
    least a minute ahead; plans and cases already begun keep theirs. Audited."""
    choice = services.choose_edition(
        request.auth, payload.edition, payload.in_force_from, payload.reason
    )
    return Status(201, EditionChoice.objects.select_related("chosen_by").get(pk=choice.pk))
