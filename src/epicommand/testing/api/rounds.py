"""/api/v1/testing/rounds: testing rounds, their classified statistics, pooling advice,
the communities assigned to sites, and the persons of a village not yet sampled.

Reads need VIEW_TESTING and start from the rounds the caller sees (ordered in or covering
its jurisdiction; any other round is 404); changes need MANAGE_TESTING over the region
that ordered the round and go through testing.services (audited). The not-yet-sampled
list is person-level: masked, paged by key, and every page read is audited."""

from datetime import datetime

from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, choices, region_filter
from epicommand.core.keyset import MAX_ID

from .. import statistics
from ..models import Round
from ..queries import rounds as queries
from ..services import rounds as services
from ..services import sites as site_services

router = Router(tags=["Testing rounds"])

C = Capability
ROUND_ID = Path(..., ge=1, le=MAX_ID)


class TestingRoundOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id", description="the region that ordered it")
    region_name: str = Field(alias="region.name")
    region_codes: list[str] = Field(description="the regions it covers")
    starts_at: datetime
    ends_at: datetime
    status: str = Field(description="planned, open or closed")

    @staticmethod
    def resolve_region_codes(round_) -> list[str]:
        return [r.code for r in round_.regions.all()]


class TestingRoundPage(Schema):
    items: list[TestingRoundOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class TestingRoundIn(Schema):
    name: str = Field(max_length=100)
    region_codes: list[str] = Field(
        min_length=1, max_length=services.MAX_REGIONS, description="counties, townships, villages"
    )
    starts_at: datetime
    ends_at: datetime


class TestingRoundStepIn(Schema):
    reason: str = Field("", max_length=500)


class RoundFiguresOut(Schema):
    region_code: str
    region_name: str
    target: int = Field(description="persons residing there when the round was set up")
    sampled: int
    not_sampled: int = Field(description="target - sampled, never below 0")
    coverage_percent: float | None
    tubes_in_transit: int = Field(description="closed, boxed or received, not yet resulted")
    tested: int = Field(description="persons whose tube has a result")
    released: int = Field(description="negative, released")
    positive_pools: int = Field(description="persons in positive pools awaiting re-test")
    positives: int
    has_children: bool = Field(description="ask again with ?region= this code to drill down")


class RoundStatisticsOut(Schema):
    round_id: int
    region_code: str = Field(description="the region the figures are for")
    total: RoundFiguresOut
    regions: list[RoundFiguresOut] = Field(description="one row per region a level below")


class PoolSizeOut(Schema):
    region_code: str
    region_name: str
    risk_level: str
    pool_size: int


class PoolingAdviceOut(Schema):
    tested: int
    positives: int
    positivity: float = Field(description="positives / tested persons so far (a fraction)")
    max_positivity: float = Field(description="the edition's ceiling for pooling")
    pooling_allowed: bool
    warning: str = Field(description="set when pooling should stop")
    dorfman_pool_size: int | None = Field(
        description="the pool size with the fewest tests at this positivity, however large; "
        "null before any positive result"
    )
    dorfman_tests_per_person: float | None
    policy_largest_pool: int = Field(description="the largest pool the policy runs (its cap)")
    policy_largest_pool_tests_per_person: float
    quarantine_pool_size: int
    pool_sizes: list[PoolSizeOut] = Field(description="policy pool size per area of the round")


class SiteAssignmentOut(Schema):
    id: int
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    site_id: int
    site_name: str = Field(alias="site.name")
    site_address: str = Field(alias="site.address")
    residents: int
    slot_start: datetime
    slot_end: datetime


class SiteAssignmentPage(Schema):
    items: list[SiteAssignmentOut]
    next_after: int | None


class SiteLoadOut(Schema):
    site_id: int
    site_name: str
    communities: int
    residents: int
    capacity: int = Field(description="persons the site can sample over the round")
    per_day: int
    per_table_day: int
    under_used: bool = Field(description="below the edition's least daily load of a point")


class UnplacedOut(Schema):
    region_code: str
    region_name: str
    residents: int
    reason: str


class AssignmentReportOut(Schema):
    assigned: int
    residents: int
    sites: list[SiteLoadOut]
    unplaced: list[UnplacedOut]


class UnsampledPersonOut(Schema):
    person_id: int = Field(alias="pk")
    name: str
    id_number: str = Field(alias="masked_id", description="masked")
    phone: str = Field(alias="masked_phone", description="masked")
    address: str


class UnsampledPage(Schema):
    region_code: str
    items: list[UnsampledPersonOut]
    next_after: int | None


def _round_out(round_: Round) -> Round:
    return Round.objects.select_related("region").prefetch_related("regions").get(pk=round_.pk)


def _figures(row: statistics.Row) -> dict:
    return {
        "region_code": row.code,
        "region_name": row.name,
        "target": row.target,
        "sampled": row.sampled,
        "not_sampled": row.not_sampled,
        "coverage_percent": row.coverage_percent,
        "tubes_in_transit": row.tubes_in_transit,
        "tested": row.tested,
        "released": row.released,
        "positive_pools": row.positive_pools,
        "positives": row.positives,
        "has_children": row.has_children,
    }


@router.get("", response={200: TestingRoundPage, **ERRORS}, summary="List testing rounds")
def list_rounds(
    request,
    status: choices(Round.Status, "RoundStatus") | None = None,
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """Rounds ordered in or covering your jurisdiction, newest first."""
    require(request.auth, C.VIEW_TESTING)
    rows, next_after = queries.round_page(
        request.auth, status=status.value if status else "", after=after, limit=limit
    )
    return {"items": [_round_out(r) for r in rows], "next_after": next_after}


@router.post("", response={201: TestingRoundOut, **ERRORS}, summary="Set up a testing round")
def create_round(request, payload: TestingRoundIn):
    """A round over regions of your jurisdiction between two times; its targets are the
    persons residing there now. Times need their offset (2021-01-12T07:00:00+08:00)."""
    round_ = services.create_round(request.auth, **payload.dict())
    return Status(201, _round_out(round_))


@router.get("/{round_id}", response={200: TestingRoundOut, **ERRORS}, summary="One round")
def get_round(request, round_id: int = ROUND_ID):
    require(request.auth, C.VIEW_TESTING)
    return _round_out(queries.visible_round(request.auth, round_id))


@router.post("/{round_id}/open", response={200: TestingRoundOut, **ERRORS}, summary="Open a round")
def open_round(request, payload: TestingRoundStepIn | None = None, round_id: int = ROUND_ID):
    """Sampling starts. A round that is not planned: 422."""
    round_ = queries.visible_round(request.auth, round_id)
    return _round_out(
        services.open_round(request.auth, round_, reason=payload.reason if payload else "")
    )


@router.post(
    "/{round_id}/close", response={200: TestingRoundOut, **ERRORS}, summary="Close a round"
)
def close_round(request, payload: TestingRoundStepIn | None = None, round_id: int = ROUND_ID):
    """Sampling ends; results keep arriving. A round that is not open: 422."""
    round_ = queries.visible_round(request.auth, round_id)
    return _round_out(
        services.close_round(request.auth, round_, reason=payload.reason if payload else "")
    )


@router.get(
    "/{round_id}/statistics",
    response={200: RoundStatisticsOut, **ERRORS},
    summary="A round's classified statistics",
)
def round_statistics(request, round_id: int = ROUND_ID, region: str | None = region_filter()):
    """The figures of `region` (default: your jurisdiction's part of the round) and of each
    region a level below it. A region outside your jurisdiction or the round: 404."""
    require(request.auth, C.VIEW_TESTING)
    round_ = queries.visible_round(request.auth, round_id)
    focus = queries.round_focus(request.auth, round_, region)
    found = statistics.statistics(round_, focus)
    return {
        "round_id": round_.pk,
        "region_code": focus.code,
        "total": _figures(found.total),
        "regions": [_figures(r) for r in found.rows],
    }


@router.get(
    "/{round_id}/pooling", response={200: PoolingAdviceOut, **ERRORS}, summary="Pooling advice"
)
def pooling_advice(request, round_id: int = ROUND_ID, region: str | None = region_filter()):
    """Observed positivity, whether pooling is still allowed (under the edition's
    ceiling), the Dorfman-optimal pool size, and the policy's size per area."""
    require(request.auth, C.VIEW_TESTING)
    round_ = queries.visible_round(request.auth, round_id)
    focus = queries.round_focus(request.auth, round_, region)
    advice = services.pooling_advice(round_, region_code=focus.code)
    warning = ""
    if not advice.pooling_allowed:
        warning = (
            f"positivity {advice.positivity:.3%} is at or over {advice.max_positivity:.3%}: "
            "stop pooling, sample 1:1"
        )
    return {
        "tested": advice.tested,
        "positives": advice.positives,
        "positivity": advice.positivity,
        "max_positivity": advice.max_positivity,
        "pooling_allowed": advice.pooling_allowed,
        "warning": warning,
        "dorfman_pool_size": advice.dorfman_size,
        "dorfman_tests_per_person": advice.dorfman_size
        and round(advice.dorfman_tests_per_person, 4),
        "policy_largest_pool": advice.policy_largest_pool,
        "policy_largest_pool_tests_per_person": round(
            advice.policy_largest_pool_tests_per_person, 4
        ),
        "quarantine_pool_size": advice.quarantine_size,
        "pool_sizes": [
            {
                "region_code": s.region.code,
                "region_name": s.region.name,
                "risk_level": s.level,
                "pool_size": s.size,
            }
            for s in advice.sizes
        ],
    }


@router.post(
    "/{round_id}/assign-communities",
    response={200: AssignmentReportOut, **ERRORS},
    summary="Assign communities to sites",
)
def assign_communities(request, round_id: int = ROUND_ID):
    """Every community of the round to its nearest site with room, each with a slot;
    replaces earlier assignments. Lists the communities that could not be placed."""
    round_ = queries.visible_round(request.auth, round_id)
    report = site_services.assign_communities(request.auth, round_)
    return {
        "assigned": report.assigned,
        "residents": report.residents,
        "sites": [
            {
                "site_id": load.site.pk,
                "site_name": load.site.name,
                "communities": load.communities,
                "residents": load.residents,
                "capacity": load.capacity,
                "per_day": load.per_day,
                "per_table_day": load.per_table_day,
                "under_used": load.under_used,
            }
            for load in report.loads
        ],
        "unplaced": [
            {
                "region_code": u.code,
                "region_name": u.name,
                "residents": u.residents,
                "reason": u.reason,
            }
            for u in report.unplaced
        ],
    }


@router.get(
    "/{round_id}/assignments",
    response={200: SiteAssignmentPage, **ERRORS},
    summary="Communities and their sites",
)
def list_assignments(
    request,
    round_id: int = ROUND_ID,
    region: str | None = region_filter(),
    site_id: int | None = Query(None, ge=1, le=MAX_ID),
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    require(request.auth, C.VIEW_TESTING)
    round_ = queries.visible_round(request.auth, round_id)
    rows, next_after = queries.assignment_page(
        request.auth, round_, site_id=site_id, region=region, after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.get(
    "/{round_id}/unsampled",
    response={200: UnsampledPage, **ERRORS},
    summary="Persons of a village not yet sampled",
)
def unsampled(
    request,
    round_id: int = ROUND_ID,
    region: str = Query(..., pattern=r"^[0-9]{6,12}$", description="the village's code"),
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """Persons residing in the village with no sample in the round, for door-to-door
    follow-up; ID and phone masked. Each page read is audited."""
    require(request.auth, C.VIEW_TESTING)
    round_ = queries.visible_round(request.auth, round_id)
    village = queries.unsampled_village(request.auth, round_, region)
    rows, next_after = queries.unsampled_page(
        request.auth, round_, village, after=after, limit=limit
    )
    audit.record(
        request.auth,
        "testing_round.unsampled_view",
        round_,
        region_code=village.code,
        reason=f"{len(rows)} persons listed (api, after {after or 0})",
    )
    return {"region_code": village.code, "items": rows, "next_after": next_after}
