"""/api/v1/risk-areas: the areas in force (any authenticated caller: the public page shows
them too), proposals and the rule's suggestions, manual designation, confirming, dismissing
and lifting. Proposals and history are read through RiskArea.objects.visible_to(caller);
every change goes through control.services.risk and is made by a person of a command
office (MANAGE_RISK_AREAS)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core import followups
from epicommand.core.access import Capability, covers, require, typed_region_q
from epicommand.core.api_schemas import ERRORS, FollowUpOut, choices, region_filter
from epicommand.core.keyset import MAX_ID

from ..models import RiskArea, RiskLevel
from ..queries.risk import PAGE_SIZE, label_areas
from ..services import risk as services

router = Router(tags=["risk areas"])

S = RiskArea.Status


class RiskAreaRegionOut(Schema):
    code: str
    name: str = Field(description="County, township and village names")


class RiskAreaOut(Schema):
    id: int
    name: str
    level: str = Field(description="high, medium or low")
    status: str = Field(description="proposed, in_force, lifted or dismissed")
    rule: str = Field(description="county_2021, compound_9th or manual")
    reasons: str
    region_code: str = Field(alias="region_id", description="The smallest region holding it")
    regions: list[RiskAreaRegionOut]
    proposed_at: datetime
    in_force_from: datetime | None
    lifted_at: datetime | None
    confirmed_by: str | None = None
    codes_recomputed: FollowUpOut | None = Field(
        None, description="the health codes the latest change recomputes (one-area routes)"
    )

    @staticmethod
    def resolve_regions(obj):
        return [{"code": code, "name": name} for code, name in obj.members]

    @staticmethod
    def resolve_confirmed_by(obj):
        return obj.confirmed_by.username if obj.confirmed_by_id else None


class RiskAreaPage(Schema):
    items: list[RiskAreaOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class RiskAreaSuggestionOut(Schema):
    region_code: str
    region_name: str
    level: str = Field(description="What the active edition's rule gives")
    in_force: str = Field(description="The level in force over the region now")
    rule: str
    reasons: str
    replaces: int | None = Field(description="The area in force naming exactly this region")


class RiskAreaDesignationIn(Schema):
    name: str = Field("", max_length=150, description="Defaults to the regions' names")
    level: RiskLevel
    regions: list[str] = Field(
        min_length=1,
        max_length=services.MAX_REGIONS,
        description="Region codes: a county, townships, villages or compounds",
    )
    reason: str = Field(min_length=1, max_length=2000)
    confirm: bool = Field(False, description="Put it in force at once")


class RiskAreaReasonIn(Schema):
    reason: str = Field("", max_length=500)


def _with_members(areas):
    return areas.select_related("confirmed_by").prefetch_related("regions")


def _out(area: RiskArea) -> RiskArea:
    fresh = _with_members(RiskArea.objects.filter(pk=area.pk)).get()
    fresh.codes_recomputed = followups.latest_for(fresh)
    return label_areas([fresh])[0]


def _manageable(who, area_id: int) -> RiskArea:
    """A proposal or an area the caller may change: inside their jurisdiction (404
    otherwise), and their role must manage risk areas (403)."""
    area = get_object_or_404(RiskArea.objects.visible_to(who), pk=area_id)
    require(who, Capability.MANAGE_RISK_AREAS)
    return area


@router.get("", response={200: RiskAreaPage, **ERRORS}, summary="List risk areas")
def list_areas(
    request,
    status: choices(RiskArea.Status, "RiskAreaStatus") = RiskArea.Status.IN_FORCE,
    level: RiskLevel | None = None,
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(PAGE_SIZE, ge=1, le=200),
):
    """The areas in force by default: public information, the whole city for any caller.
    Other statuses (proposed, lifted, dismissed) list those in your jurisdiction."""
    if status == S.IN_FORCE:
        areas = RiskArea.objects.filter(status=S.IN_FORCE)
    else:
        areas = RiskArea.objects.visible_to(request.auth).filter(status=status)
    if level:
        areas = areas.filter(level=level)
    if region:
        areas = areas.filter(typed_region_q(region, "regions__code")).distinct()
    if after:
        areas = areas.filter(pk__lt=after)
    rows = list(_with_members(areas).order_by("-pk")[: limit + 1])
    next_after = rows[limit - 1].pk if len(rows) > limit else None
    return {"items": label_areas(rows[:limit]), "next_after": next_after}


@router.get(
    "/proposals", response={200: list[RiskAreaOut], **ERRORS}, summary="Proposals to confirm"
)
def list_proposals(request):
    """Proposals in your jurisdiction (the rule's and the offices' own), newest first."""
    require(request.auth, Capability.MANAGE_RISK_AREAS)
    areas = RiskArea.objects.visible_to(request.auth).filter(status=S.PROPOSED)
    return label_areas(list(_with_members(areas).order_by("-proposed_at", "-pk")[:200]))


@router.get(
    "/suggestions",
    response={200: list[RiskAreaSuggestionOut], **ERRORS},
    summary="What the rule would change now",
)
def list_suggestions(request):
    """The active edition's rule over the case facts, compared with what is in force: only
    changes, in your jurisdiction. Nothing is stored; POST stores them as proposals."""
    require(request.auth, Capability.MANAGE_RISK_AREAS)
    return [s for s in services.suggest() if covers(request.auth, s.region_code)]


@router.post(
    "/suggestions",
    response={201: list[RiskAreaOut], **ERRORS},
    summary="Store the rule's suggestions as proposals",
)
def propose_suggestions(request):
    """Proposals already stored for the same region and level are returned, not doubled."""
    areas = services.propose_suggestions(request.auth)
    return Status(201, [_out(a) for a in areas])


@router.post("", response={201: RiskAreaOut, **ERRORS}, summary="Designate a risk area")
def designate(request, payload: RiskAreaDesignationIn):
    """A manual designation over regions in your jurisdiction; proposed, or in force at once
    with `confirm`."""
    area = services.designate(
        request.auth,
        name=payload.name,
        level=payload.level.value,
        regions=payload.regions,
        reason=payload.reason,
        confirm=payload.confirm,
    )
    return Status(201, _out(area))


@router.get("/{area_id}", response={200: RiskAreaOut, **ERRORS}, summary="One risk area")
def get_area(request, area_id: int = Path(..., ge=1, le=MAX_ID)):
    """An area in force is public; others only inside your jurisdiction."""
    visible = RiskArea.objects.visible_to(request.auth) | RiskArea.objects.filter(status=S.IN_FORCE)
    area = get_object_or_404(visible, pk=area_id)
    return _out(area)


@router.post(
    "/{area_id}/confirm", response={200: RiskAreaOut, **ERRORS}, summary="Confirm a proposal"
)
def confirm(request, area_id: int = Path(..., ge=1, le=MAX_ID)):
    """In force from now; areas in force over the same regions are lifted, and the health
    codes of residents and recent visitors recomputed. 422 (field `status`) if it is not a
    proposal."""
    area = services.confirm(request.auth, _manageable(request.auth, area_id))
    return _out(area)


@router.post(
    "/{area_id}/dismiss", response={200: RiskAreaOut, **ERRORS}, summary="Dismiss a proposal"
)
def dismiss(request, payload: RiskAreaReasonIn, area_id: int = Path(..., ge=1, le=MAX_ID)):
    area = services.dismiss(request.auth, _manageable(request.auth, area_id), reason=payload.reason)
    return _out(area)


@router.post("/{area_id}/lift", response={200: RiskAreaOut, **ERRORS}, summary="Lift an area")
def lift(request, payload: RiskAreaReasonIn, area_id: int = Path(..., ge=1, le=MAX_ID)):
    """Ends the area now; its residents' health codes are recomputed."""
    area = services.lift(request.auth, _manageable(request.auth, area_id), reason=payload.reason)
    return _out(area)
