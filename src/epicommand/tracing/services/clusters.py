"""Source tracing: who-infected-whom links, and clusters as the connected components of
case-contact-case links, kept current by the server.

    from epicommand.tracing.services import clusters
    link = clusters.link_cases(epi, source_case, target_case, confidence="probable")
    clusters.unlink(epi, link)
    clusters.update_for([case.pk])   # after anything that adds or removes an edge
    clusters.recompute_all()         # the repair tool: every cluster in one pass

Two cases are joined by an edge when one is linked as the other's source, or when one
was listed as a contact of the other (a Contact of case A whose person has case B joins
A and B). A cluster is a component of two cases or more: a case with no edge is a
sporadic case and has no cluster (`Case.cluster` None), so the cluster list and the
chain view hold only chains, not thousands of lone dots.

`update_for` recomputes only the components touching the given cases: from them it
follows the edges, pulling in whole clusters as it meets their members (a cluster is
closed under edges, so this converges in two rounds unless the rows were stale), reads the
edges of a round in three set-based queries, and rewrites the Cluster rows it found:
components that merged keep the row that held most of their cases, a split takes a new
row for each part. Cluster ids stay stable, so a bookmarked chain stays valid."""

from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.bulk import chunks
from epicommand.core.models import Region, User
from epicommand.places.models import Venue

from ..models import Case, Cluster, Contact, InfectionLink, Setting, Visit
from ..queries.clusters import CONTACT_EDGES, LINK_EDGES

MAX_NOTE = 300
INDEX_CASES = 3  # earliest-dated cases named as likely index cases
SHARED_VENUES = 5  # places listed per cluster
CHUNK = 5000  # ids per query: under SQLite's bound-parameter limit


# Components ------------------------------------------------------------------------------


def components(nodes: Iterable[int], edges: Iterable[tuple[int, int]]) -> list[set[int]]:
    """The connected components of the graph (union-find with path halving), biggest
    first. Edge ends that are not among `nodes` join the graph too."""
    parent: dict[int, int] = {n: n for n in nodes}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    found: dict[int, set[int]] = {}
    for n in parent:
        found.setdefault(root(n), set()).add(n)
    return sorted(found.values(), key=lambda c: (-len(c), min(c)))


def _in(column: str, ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def all_edges() -> set[tuple[int, int]]:
    """Every edge of the city: the links and the contact paths, two queries."""
    with connection.cursor() as cursor:
        cursor.execute(LINK_EDGES)
        edges = set(cursor.fetchall())
        cursor.execute(CONTACT_EDGES)
        edges.update(cursor.fetchall())
    return edges


def edges_touching(case_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The edges with an end among these cases: links either way, the cases' own
    contacts who are cases, and the cases whose contact lists name these cases' persons."""
    edges: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for ids in chunks(sorted(case_ids), CHUNK):
            source, params = _in("source_id", ids)
            target, _params = _in("target_id", ids)
            cursor.execute(f"{LINK_EDGES} WHERE {source} OR {target}", params + params)
            edges.update(cursor.fetchall())
            for column in ("c.case_id", "k.id"):
                where, params = _in(column, ids)
                cursor.execute(f"{CONTACT_EDGES} AND {where}", params)
                edges.update(cursor.fetchall())
    return edges


def _closure(seeds: set[int]) -> tuple[set[int], set[tuple[int, int]]]:
    """The cases connected to the seeds and every edge among them. Each round follows
    the edges of the newly reached cases and pulls in the whole clusters they belonged to."""
    reached, expanded = set(seeds), set()
    edges: set[tuple[int, int]] = set()
    while frontier := reached - expanded:
        expanded |= frontier
        found = edges_touching(frontier)
        edges |= found
        met = {n for edge in found for n in edge} | frontier
        reached |= met
        old = _clusters_of(met)
        if old:
            reached |= set(Case.objects.filter(cluster_id__in=old).values_list("pk", flat=True))
    return reached, edges


def _clusters_of(case_ids: set[int]) -> set[int]:
    found: set[int] = set()
    for ids in chunks(sorted(case_ids), CHUNK):
        rows = Case.objects.filter(pk__in=ids, cluster__isnull=False)
        found.update(rows.values_list("cluster_id", flat=True))
    return found


# Keeping clusters current ------------------------------------------------------------------


def update_for(case_ids: Iterable[int], *, now: datetime | None = None) -> None:
    """Recompute the clusters of the components touching these cases (the ones just
    registered, linked, unlinked or listed as contacts). Cheap: it reads only those
    components' edges."""
    seeds = {int(pk) for pk in case_ids}
    if not seeds:
        return
    with transaction.atomic():
        cases, edges = _closure(seeds)
        _rebuild(cases, edges, stale=_clusters_of(cases), now=now or timezone.now())


def recompute_all(*, now: datetime | None = None) -> int:
    """Rebuild every cluster from all the edges in one pass; returns how many there are.
    The `recompute-clusters` command and the benchmark use it; a repair after a bulk load."""
    now = now or timezone.now()
    with transaction.atomic():
        cases = set(Case.objects.values_list("pk", flat=True))
        stale = set(Cluster.objects.values_list("pk", flat=True))
        written = _rebuild(cases, all_edges(), stale=stale, now=now)
        audit.record(
            None,
            "cluster.recompute",
            object_type="tracing.cluster",
            region_code=_city_code(),
            reason=_("%(n)d clusters of %(c)d cases") % {"n": written, "c": len(cases)},
        )
    return written


def _city_code() -> str | None:
    return Region.objects.filter(level=Region.Level.CITY).values_list("code", flat=True).first()


@dataclass
class CaseRow:
    pk: int
    person_id: int
    region_id: str
    cluster_id: int | None
    onset_date: date | None
    sampling_date: date | None
    reported_at: datetime

    @property
    def dated(self) -> tuple[date, str]:
        """The date the case's infection shows first, and what it is: onset, else the
        sampling date (asymptomatic), else the day it was reported."""
        if self.onset_date:
            return self.onset_date, "onset"
        if self.sampling_date:
            return self.sampling_date, "sampling"
        return timezone.localdate(self.reported_at), "reported"


def _read_cases(case_ids: set[int]) -> dict[int, CaseRow]:
    fields = ("pk", "person_id", "region_id", "cluster_id", "onset_date", "sampling_date")
    rows: dict[int, CaseRow] = {}
    for ids in chunks(sorted(case_ids), CHUNK):
        for values in Case.objects.filter(pk__in=ids).values_list(*fields, "reported_at"):
            rows[values[0]] = CaseRow(*values)
    return rows


def _rebuild(case_ids: set[int], edges, *, stale: set[int], now: datetime) -> int:
    """Write the clusters of these cases (whose components are closed under `edges`):
    reuse the old rows in `stale` that held most of each component's cases, create the
    rest, drop the rows no component took, and point each case at its cluster."""
    cases = _read_cases(case_ids)
    parts = [p for p in components(cases, edges) if len(p) > 1]
    summaries = summarize(parts, cases)
    claimed: dict[int, int] = {}  # part index -> old cluster id
    free = set(stale)
    for n, part in enumerate(parts):
        held = Tally(cases[pk].cluster_id for pk in part if cases[pk].cluster_id in free)
        if held:
            old = max(held, key=lambda pk: (held[pk], -pk))
            claimed[n] = old
            free.discard(old)
    existing = Cluster.objects.in_bulk(list(claimed.values()))
    rows = []
    for n, summary in enumerate(summaries):
        row = existing.get(claimed.get(n)) or Cluster()
        summary.apply(row, now)
        rows.append(row)
    Cluster.objects.bulk_create([row for row in rows if row.pk is None])
    Cluster.objects.bulk_update([rows[n] for n in claimed], SUMMARY_FIELDS, batch_size=500)
    target: dict[int, int | None] = dict.fromkeys(case_ids)
    for row, part in zip(rows, parts, strict=True):
        target.update(dict.fromkeys(part, row.pk))
    _assign(cases, target)
    Cluster.objects.filter(pk__in=free).delete()
    return len(parts)


def _assign(cases: dict[int, CaseRow], target: dict[int, int | None]) -> None:
    moving: dict[int | None, list[int]] = {}
    for pk, cluster_id in target.items():
        if cases[pk].cluster_id != cluster_id:
            moving.setdefault(cluster_id, []).append(pk)
    for cluster_id, pks in moving.items():
        for ids in chunks(pks, CHUNK):
            Case.objects.filter(pk__in=ids).update(cluster_id=cluster_id)


# Summaries -----------------------------------------------------------------------------------

SUMMARY_FIELDS = (
    "region_id",
    "label",
    "cases_count",
    "contacts_count",
    "first_onset",
    "last_onset",
    "index_cases",
    "shared_venues",
    "updated_at",
)
LEVEL_LENGTHS = (12, 9, 6)  # village, township, county


@dataclass
class Summary:
    region_id: str
    label: str
    cases_count: int
    contacts_count: int
    first_onset: date
    last_onset: date
    index_cases: list[dict]
    shared_venues: list[dict]

    def apply(self, row: Cluster, now: datetime) -> None:
        for name in SUMMARY_FIELDS[:-1]:
            setattr(row, name, getattr(self, name))
        row.updated_at = now


def common_region(codes: Iterable[str]) -> str:
    """The smallest region holding all these codes: their common prefix cut to a village,
    township or county code, else the city (first four digits + "00")."""
    codes = list(codes)
    first = min(codes)
    last = max(codes)  # the common prefix of all is that of the first and last in order
    shared = 0
    while shared < min(len(first), len(last)) and first[shared] == last[shared]:
        shared += 1
    for length in LEVEL_LENGTHS:
        if shared >= length and len(first) >= length:
            return first[:length]
    return first[:4] + "00"


def summarize(parts: list[set[int]], cases: dict[int, CaseRow]) -> list[Summary]:
    """Each part's figures, likely index cases and shared places, read in set-based queries
    over all the parts at once."""
    members = set().union(*parts) if parts else set()
    contacts = _contact_persons(members)
    visits = _venue_visits(members)
    regions = [common_region(cases[pk].region_id for pk in part) for part in parts]
    names = _region_names(regions)
    venue_names = _venue_names({v for pks in visits.values() for v in pks})
    found = []
    for part, region in zip(parts, regions, strict=True):
        persons = {cases[pk].person_id for pk in part}
        traced = {p for pk in part for p in contacts.get(pk, ())} - persons
        dates = sorted(cases[pk].dated[0] for pk in part)
        venues = _shared_venues(part, visits, venue_names)
        found.append(
            Summary(
                region_id=region,
                label=names.get(region, region),
                cases_count=len(part),
                contacts_count=len(traced),
                first_onset=dates[0],
                last_onset=dates[-1],
                index_cases=_index_cases(part, cases, visits, venues),
                shared_venues=venues,
            )
        )
    return found


def _contact_persons(case_ids: set[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for ids in chunks(sorted(case_ids), CHUNK):
        for case_id, person_id in Contact.objects.filter(case_id__in=ids).values_list(
            "case_id", "person_id"
        ):
            found.setdefault(case_id, set()).add(person_id)
    return found


def _venue_visits(case_ids: set[int]) -> dict[int, set[int]]:
    """{case: the places it was at} from the trajectories, removed visits left out."""
    found: dict[int, set[int]] = {}
    for ids in chunks(sorted(case_ids), CHUNK):
        rows = (
            Visit.objects.filter(case_id__in=ids, venue__isnull=False)
            .exclude(status=Visit.Status.REMOVED)
            .values_list("case_id", "venue_id")
            .distinct()
        )
        for case_id, venue_id in rows:
            found.setdefault(case_id, set()).add(venue_id)
    return found


def _region_names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _venue_names(venue_ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for ids in chunks(sorted(venue_ids), CHUNK):
        names.update(Venue.objects.filter(pk__in=ids).values_list("pk", "name"))
    return names


def _shared_venues(part: set[int], visits: dict[int, set[int]], names: dict[int, str]):
    """The places two or more of the cluster's cases were at, most cases first."""
    tally = Tally(v for pk in part for v in visits.get(pk, ()))
    shared = [(n, v) for v, n in tally.items() if n > 1]
    shared.sort(key=lambda item: (-item[0], names.get(item[1], ""), item[1]))
    return [{"venue": v, "name": names.get(v, ""), "cases": n} for n, v in shared[:SHARED_VENUES]]


def _index_cases(part, cases: dict[int, CaseRow], visits, venues: list[dict]) -> list[dict]:
    """The likely index cases: the earliest-dated ones, and the earliest case at the place
    most of the cluster's cases share. `why` is a code the pages put in words."""
    ordered = sorted(part, key=lambda pk: (cases[pk].dated[0], cases[pk].reported_at, pk))
    first_day = cases[ordered[0]].dated[0]
    found = []
    for pk in ordered[:INDEX_CASES]:
        day, kind = cases[pk].dated
        if day != first_day:
            break
        found.append({"case": pk, "why": f"earliest_{kind}", "date": day.isoformat()})
    if venues:
        top = venues[0]
        at_venue = [pk for pk in ordered if top["venue"] in visits.get(pk, ())]
        pk = at_venue[0]
        if all(entry["case"] != pk for entry in found):
            day, _kind = cases[pk].dated
            found.append(
                {"case": pk, "why": "shared_venue", "date": day.isoformat()}
                | {"venue": top["venue"], "venue_name": top["name"], "cases": top["cases"]}
            )
    return found


# Links -----------------------------------------------------------------------------------------


def ancestors(case_id: int) -> set[int]:
    """Every case that infected this one, directly or through others (one query per
    generation)."""
    found: set[int] = set()
    generation = {case_id}
    while generation:
        sources = set(
            InfectionLink.objects.filter(target_id__in=generation).values_list(
                "source_id", flat=True
            )
        )
        generation = sources - found - {case_id}
        found |= sources
    return found


def _link_errors(source: Case, target: Case, confidence, setting, note) -> dict[str, str]:
    errors = {}
    if confidence not in InfectionLink.Confidence.values:
        errors["confidence"] = _("must be one of: %(c)s") % {
            "c": ", ".join(InfectionLink.Confidence.values)
        }
    if setting and setting not in Setting.values:
        errors["setting"] = _("must be one of: %(s)s") % {"s": ", ".join(Setting.values)}
    if not isinstance(note, str) or len(note) > MAX_NOTE or "\x00" in note:
        errors["note"] = _("must be text of at most %(n)d characters") % {"n": MAX_NOTE}
    if source.pk == target.pk:
        errors["source"] = _("a case cannot have infected itself")
    return errors


def link_cases(
    actor,
    source: Case,
    target: Case,
    *,
    confidence: str,
    setting: str = "",
    note: str = "",
    now: datetime | None = None,
) -> InfectionLink:
    """Record that `source` infected `target`. The actor investigates the infected case
    (INVESTIGATE over its region). A link back up a chain (the target infected the source,
    directly or through others) is refused: a case cannot be its own ancestor."""
    now = now or timezone.now()
    require(actor, Capability.INVESTIGATE, region=target.region_id)
    note = note.strip() if isinstance(note, str) else note
    errors = _link_errors(source, target, confidence, setting, note)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One link at a time into this chain: two opposite links at once make a cycle.
        Case.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).count()
        existing = InfectionLink.objects.filter(source=source, target=target).first()
        if existing is not None:
            message = _("case %(s)s is already linked to case %(t)s (link %(l)s)")
            raise ValidationError(
                {"target": message % {"s": source.pk, "t": target.pk, "l": existing.pk}}
            )
        if target.pk in ancestors(source.pk):
            raise ValidationError(
                {
                    "source": _(
                        "case %(t)s infected case %(s)s (directly or through others): "
                        "the link would make a case its own ancestor"
                    )
                    % {"s": source.pk, "t": target.pk}
                }
            )
        link = InfectionLink.objects.create(
            source=source,
            target=target,
            region_id=target.region_id,
            confidence=confidence,
            setting=setting,
            note=note,
            created_by=actor if isinstance(actor, User) else None,
            created_at=now,
        )
        audit.record(actor, "case.link", link, reason=f"{source.pk} → {target.pk} ({confidence})")
        update_for([source.pk, target.pk], now=now)
    return link


def unlink(actor, link: InfectionLink, *, now: datetime | None = None) -> None:
    """Remove a link; the cluster splits if nothing else held it together."""
    require(actor, Capability.INVESTIGATE, region=link.region_id)
    ends = [link.source_id, link.target_id]
    with transaction.atomic():
        audit.record(actor, "case.unlink", link, reason=f"{link.source_id} → {link.target_id}")
        link.delete()
        update_for(ends, now=now)
