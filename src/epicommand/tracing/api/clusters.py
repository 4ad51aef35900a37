"""/api/v1/clusters: cluster summaries (biggest first, keyset pages), one cluster, its
chain graph with a case's contacts on demand, and who-infected-whom links.

A cluster is visible to whoever's jurisdiction holds its region or sees any of its cases;
other counties' cases show in the graph without a name. Reading a graph is audited (it
names persons). A link needs INVESTIGATE over the infected case's region; the source case
must be one the caller sees or one of the infected case's cluster."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.keyset import MAX_ID

from ..models import Case, InfectionLink
from ..queries import clusters as queries
from ..services import clusters as services

router = Router(tags=["Clusters"])

CURSOR = Query(
    None, pattern=r"^[0-9]{1,10}-[0-9]{1,19}$", description="`next_after` of the page before"
)


class ClusterIndexCase(Schema):
    case: int
    why: str = Field(
        description="earliest_onset, earliest_sampling, earliest_reported, shared_venue"
    )
    reason: str = Field(description="the same in words, in the request's language")
    date: str = Field("", description="the case's onset (else sampling, else report) date")
    venue: int | None = None
    venue_name: str = ""
    cases: int | None = Field(None, description="cases of the cluster at that place")


class ClusterVenue(Schema):
    venue: int
    name: str
    cases: int


class ClusterItem(Schema):
    id: int
    title: str = Field(description='e.g. "增村镇 cluster (12)"')
    label: str = Field(description="the region's name")
    region_code: str = Field(alias="region_id", description="smallest region holding all cases")
    cases_count: int
    contacts_count: int = Field(description="persons traced as contacts who are not its cases")
    first_onset: date | None
    last_onset: date | None
    index_cases: list[ClusterIndexCase]
    shared_venues: list[ClusterVenue]
    updated_at: datetime

    @staticmethod
    def resolve_title(obj) -> str:
        return queries.cluster_title(obj)

    @staticmethod
    def resolve_index_cases(obj) -> list[dict]:
        return [e | {"reason": queries.index_reason(e)} for e in obj.index_cases]


class ClusterPage(Schema):
    items: list[ClusterItem]
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class ChainNode(Schema):
    id: int = Field(description="case id")
    name: str = Field(description="the person's name; empty outside your jurisdiction")
    v: bool = Field(description="whether you see this case")
    c: str = Field(description="classification")
    o: str = Field(description="outcome (empty while open)")
    d: str = Field(description="onset, else sampling date")
    r: str = Field(description="region code")
    n: int = Field(description="contacts not drawn (fetch with ?expand=)")
    x: float
    y: float


class ChainEdge(Schema):
    s: int = Field(description="source case")
    t: int = Field(description="target case")
    k: str = Field(description="link confidence, or `contact` for a contact path")


class ChainGraph(Schema):
    cluster: int
    layout: str = Field(description="`force` for small chains, `none`: draw at x, y")
    nodes: list[ChainNode]
    edges: list[ChainEdge]
    named: int = Field(description="cases shown with a name")


class ChainContact(Schema):
    id: int = Field(description="contact id")
    name: str
    v: bool
    g: str = Field(description="degree")
    st: str = Field(description="status")
    r: str = Field(description="region code")


class ChainContacts(Schema):
    case: int
    contacts: list[ChainContact]
    more: int = Field(description="contacts of the case beyond those returned")


class LinkIn(Schema):
    source_case_id: int = Field(ge=1, le=MAX_ID, description="the case that infected")
    target_case_id: int = Field(ge=1, le=MAX_ID, description="the infected case")
    confidence: str = Field(description="confirmed, probable or possible")
    setting: str = Field("", description="household, workplace, ... or empty")
    note: str = Field("", max_length=300)


class LinkOut(Schema):
    id: int
    source_case_id: int = Field(alias="source_id")
    target_case_id: int = Field(alias="target_id")
    confidence: str
    setting: str
    note: str
    cluster_id: int | None = Field(description="the cluster both cases are in now")
    created_at: datetime

    @staticmethod
    def resolve_cluster_id(obj) -> int | None:
        return Case.objects.filter(pk=obj.target_id).values_list("cluster_id", flat=True).first()


@router.get("", response={200: ClusterPage, **ERRORS}, summary="List clusters")
def list_clusters(
    request,
    region: str | None = region_filter(),
    after: str | None = CURSOR,
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE),
):
    """Clusters you see, biggest first."""
    require(request.auth, Capability.VIEW_CASES)
    rows, next_after = queries.cluster_page(
        request.auth, region=region or "", after=queries.parse_cursor(after), limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.get("/{int:cluster_id}", response={200: ClusterItem, **ERRORS}, summary="One cluster")
def get_cluster(request, cluster_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, Capability.VIEW_CASES)
    return queries.visible_cluster(request.auth, cluster_id)


@router.get(
    "/{int:cluster_id}/graph",
    response={200: ChainGraph | ChainContacts, **ERRORS},
    summary="The chain graph, or one case's contacts",
)
def get_graph(
    request,
    cluster_id: int = Path(..., ge=1, le=MAX_ID),
    expand: int | None = Query(None, ge=1, le=MAX_ID, description="a case: its contacts only"),
):
    """Without `expand`: every case of the cluster with positions and the edges between
    them. With `expand`: that case's contacts (at most 500; `more` counts the rest).
    Audited."""
    require(request.auth, Capability.VIEW_CASES)
    cluster = queries.visible_cluster(request.auth, cluster_id)
    if expand is not None:
        body = queries.expand_contacts(request.auth, cluster, expand)
        audit.record(request.auth, "cluster.expand", cluster, reason=f"case {expand}, api")
        return body
    body = queries.cluster_graph(request.auth, cluster)
    audit.record(request.auth, "cluster.view", cluster, reason=f"{body['named']} named, api")
    return body


@router.post("/links", response={201: LinkOut, **ERRORS}, summary="Record who infected whom")
def create_link(request, payload: LinkIn):
    """The infected case must be in your jurisdiction (else 404); the source one you see or
    in the infected case's cluster. A self-link, a duplicate and a link that would make a
    case its own ancestor are 422 naming the field."""
    require(request.auth, Capability.INVESTIGATE)
    target = get_object_or_404(Case.objects.visible_to(request.auth), pk=payload.target_case_id)
    sources = Case.objects.visible_to(request.auth)
    if target.cluster_id:
        sources = Case.objects.filter(pk__in=sources.values("pk")) | Case.objects.filter(
            cluster_id=target.cluster_id
        )
    source = get_object_or_404(sources, pk=payload.source_case_id)
    link = services.link_cases(
        request.auth,
        source,
        target,
        confidence=payload.confidence,
        setting=payload.setting,
        note=payload.note,
    )
    return Status(201, link)


@router.delete("/links/{int:link_id}", response={204: None, **ERRORS}, summary="Remove a link")
def delete_link(request, link_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, Capability.INVESTIGATE)
    link = get_object_or_404(InfectionLink.objects.visible_to(request.auth), pk=link_id)
    services.unlink(request.auth, link)
    return Status(204, None)
