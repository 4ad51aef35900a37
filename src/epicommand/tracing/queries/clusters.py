"""Scoped reads of clusters and the chain graph of one cluster.

A cluster is visible to a user whose jurisdiction holds its region, and to a user who
sees any of its cases: a Gaocheng epidemiologist sees the city-wide cluster their case
belongs to, with the other counties' cases drawn masked (no name, no link to the case),
so the structure shows and the persons do not.

The chain graph is sized to what is drawn: every case of ONE cluster with the links and
contact paths between them, and per case only the number of its other contacts; a case's
contacts come on demand (`expand_contacts`). Positions are computed here (a radial tree
from the likely index case), so a browser draws 5,000 nodes without running a force
simulation; small clusters are left to the force layout, starting from these positions."""

import math
from collections import deque

from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from epicommand.core.access import scope_q
from epicommand.core.keyset import MAX_ID
from epicommand.core.models import Region

from ..models import Case, Cluster, Contact, InfectionLink

PAGE_SIZE = 50
MAX_PAGE = 500
# Case B is on case A's contact list: A and B are joined.
CONTACT_EDGES = (
    "SELECT c.case_id, k.id FROM tracing_contact c "
    "JOIN tracing_case k ON k.person_id = c.person_id WHERE k.id <> c.case_id"
)
LINK_EDGES = "SELECT source_id, target_id FROM tracing_infectionlink"
FORCE_LIMIT = 150  # nodes a browser lays out by force simulation in well under a second
EXPAND_LIMIT = 500  # contacts of one case drawn at once
RING = 140.0  # distance between generations in the radial layout
SPACING = 26.0  # room for one node along a ring


def visible_clusters(who):
    """Clusters whose region the user's jurisdiction holds, or holding a case they see."""
    theirs = Case.objects.visible_to(who).filter(cluster__isnull=False).values("cluster_id")
    return Cluster.objects.filter(scope_q(who, "region_id") | Q(pk__in=theirs))


def visible_cluster(who, cluster_id: int) -> Cluster:
    return get_object_or_404(visible_clusters(who).select_related("region"), pk=cluster_id)


def parse_cursor(text) -> tuple[int, int] | None:
    """The list's keyset cursor "size-id" (biggest first); anything else starts at the top."""
    try:
        size, pk = (int(part) for part in str(text).split("-"))
    except (TypeError, ValueError):
        return None
    return (size, pk) if size >= 0 and 0 < pk <= MAX_ID else None


def cluster_page(who, *, region: str = "", after=None, limit: int = PAGE_SIZE):
    """Visible clusters, biggest first, one keyset page: (rows, cursor of the next page)."""
    qs = visible_clusters(who)
    if region:
        qs = qs & Cluster.objects.in_region(region)
    if after:
        size, pk = after
        qs = qs.filter(Q(cases_count__lt=size) | Q(cases_count=size, pk__lt=pk))
    qs = qs.select_related("region").order_by("-cases_count", "-pk")
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (f"{rows[-1].cases_count}-{rows[-1].pk}" if more else None)


# Words for the stored codes -----------------------------------------------------------------


def cluster_title(cluster: Cluster) -> str:
    return _("%(place)s cluster (%(n)d)") % {"place": cluster.label, "n": cluster.cases_count}


def index_reason(entry: dict) -> str:
    why = entry.get("why", "")
    day = entry.get("date", "")
    if why == "earliest_onset":
        return _("earliest onset, %(d)s") % {"d": day}
    if why == "earliest_sampling":
        return _("earliest sampling date (no symptoms), %(d)s") % {"d": day}
    if why == "earliest_reported":
        return _("earliest reported, %(d)s") % {"d": day}
    if why == "shared_venue":
        return _("first case at %(place)s, where %(n)d of its cases were") % {
            "place": entry.get("venue_name", ""),
            "n": entry.get("cases", 0),
        }
    return why


def index_lines(cluster: Cluster) -> list[dict]:
    return [{"case": e.get("case"), "reason": index_reason(e)} for e in cluster.index_cases]


# The chain graph ------------------------------------------------------------------------------


def cluster_graph(who, cluster: Cluster) -> dict:
    """The cluster's cases and the edges between them, with positions; names only of the
    cases the user sees. Keys are short: this is what a 5,000-case chain sends."""
    rows = list(
        Case.objects.filter(cluster=cluster)
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "person__name",
            "classification",
            "outcome",
            "onset_date",
            "sampling_date",
            "region_id",
        )
    )
    ids = [r[0] for r in rows]
    seen = set(Case.objects.visible_to(who).filter(cluster=cluster).values_list("pk", flat=True))
    persons = {r[1] for r in rows}
    extra = _other_contacts(cluster, persons)
    edges = _edges(cluster)
    root = next((e["case"] for e in cluster.index_cases if e.get("case") in extra), None)
    positions = radial_layout(ids, [(e["s"], e["t"]) for e in edges], root or ids[0])
    nodes = []
    for pk, _person, name, classification, outcome, onset, sampling, region in rows:
        day = onset or sampling
        x, y = positions[pk]
        nodes.append(
            {
                "id": pk,
                "name": name if pk in seen else "",
                "v": pk in seen,
                "c": classification,
                "o": outcome,
                "d": day.isoformat() if day else "",
                "r": region,
                "n": extra[pk],
                "x": round(x, 1),
                "y": round(y, 1),
            }
        )
    return {
        "cluster": cluster.pk,
        "layout": "force" if len(nodes) <= FORCE_LIMIT else "none",
        "nodes": nodes,
        "edges": edges,
        "named": len(seen),
    }


def _other_contacts(cluster: Cluster, case_persons: set[int]) -> dict[int, int]:
    """Per case, its contacts who are not themselves cases of the cluster (those are drawn)."""
    counts = dict.fromkeys(Case.objects.filter(cluster=cluster).values_list("pk", flat=True), 0)
    for case_id, person_id in Contact.objects.filter(case__cluster=cluster).values_list(
        "case_id", "person_id"
    ):
        if person_id not in case_persons:
            counts[case_id] += 1
    return counts


def _edges(cluster: Cluster) -> list[dict]:
    """Links (source -> target, with the confidence) and contact paths (case -> the case
    its contact became), a pair drawn once: a link says more than a contact path."""
    found: dict[frozenset, dict] = {}
    for source, target, confidence in InfectionLink.objects.filter(
        target__cluster=cluster
    ).values_list("source_id", "target_id", "confidence"):
        found[frozenset((source, target))] = {"s": source, "t": target, "k": confidence}
    with connection.cursor() as cursor:
        cursor.execute(
            f"{CONTACT_EDGES} AND c.case_id IN (SELECT id FROM tracing_case WHERE cluster_id = %s)",
            [cluster.pk],
        )
        for source, target in cursor.fetchall():
            found.setdefault(
                frozenset((source, target)), {"s": source, "t": target, "k": "contact"}
            )
    return sorted(found.values(), key=lambda e: (e["s"], e["t"]))


def radial_layout(nodes: list[int], edges: list[tuple[int, int]], root: int) -> dict:
    """A radial tree from `root` over a breadth-first spanning tree: each generation on its
    own ring, each subtree in a wedge as wide as its leaves need, a ring wide enough for
    the nodes on it. {node: (x, y)}; nodes unreachable from root (none in a component)
    go on an outer ring."""
    neighbours: dict[int, list[int]] = {n: [] for n in nodes}
    for a, b in edges:
        if a in neighbours and b in neighbours:
            neighbours[a].append(b)
            neighbours[b].append(a)
    parent, depth, order = {root: None}, {root: 0}, [root]
    queue = deque([root])
    while queue:
        n = queue.popleft()
        for m in sorted(neighbours[n]):
            if m not in depth:
                parent[m], depth[m] = n, depth[n] + 1
                order.append(m)
                queue.append(m)
    for n in nodes:  # defensive: a stale row outside the root's component
        if n not in depth:
            parent[n], depth[n] = root, 1 + max(depth.values())
            order.append(n)
    children: dict[int, list[int]] = {n: [] for n in nodes}
    for n in order[1:]:
        children[parent[n]].append(n)
    leaves: dict[int, int] = {}
    for n in reversed(order):
        leaves[n] = sum(leaves[c] for c in children[n]) or 1
    on_ring: dict[int, int] = {}
    for n in nodes:
        on_ring[depth[n]] = on_ring.get(depth[n], 0) + 1
    radius = {0: 0.0}
    for d in range(1, max(on_ring) + 1):
        radius[d] = max(radius[d - 1] + RING, on_ring.get(d, 0) * SPACING / (2 * math.pi))
    wedge = {root: (0.0, 2 * math.pi)}
    positions = {}
    for n in order:
        start, width = wedge[n]
        angle = start + width / 2
        positions[n] = (radius[depth[n]] * math.cos(angle), radius[depth[n]] * math.sin(angle))
        for c in children[n]:
            share = width * leaves[c] / leaves[n]
            wedge[c] = (start, share)
            start += share
    return positions


def expand_contacts(who, cluster: Cluster, case_id: int) -> dict:
    """One case's contacts who are not cases of the cluster: named when the user sees the
    contact (their own jurisdiction), masked otherwise. Http404 for a case not in it."""
    if not Case.objects.filter(cluster=cluster, pk=case_id).exists():
        raise Http404("no such case in this cluster")
    persons = Case.objects.filter(cluster=cluster).values("person_id")
    rows = (
        Contact.objects.filter(case_id=case_id)
        .exclude(person_id__in=persons)
        .order_by("pk")
        .values_list("pk", "person__name", "degree", "status", "region_id")
    )
    total = rows.count()
    rows = list(rows[:EXPAND_LIMIT])
    seen = set(
        Contact.objects.visible_to(who)
        .filter(pk__in=[r[0] for r in rows])
        .values_list("pk", flat=True)
    )
    nodes = [
        {"id": pk, "name": name if pk in seen else "", "v": pk in seen}
        | {"g": degree, "st": status, "r": region}
        for pk, name, degree, status, region in rows
    ]
    return {"case": case_id, "contacts": nodes, "more": max(total - len(nodes), 0)}


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))
