"""Sampling sites and the communities sent to them in a round.

    from epicommand.testing.services import sites
    site = sites.create_site(office, name="小果庄村委会采样点", region_id="130109104",
                             address="...", latitude=38.05, longitude=114.85, tables=4,
                             opens_at=time(8), closes_at=time(20), per_table_hour=60)
    report = sites.assign_communities(office, round_)

Where a village is: regions carry no coordinates, so a village's point is the centroid of
its boundary (core RegionBoundary: official outlines, or the demo's generated cells) and,
for a village without a boundary, the mean position of its venues. A village with neither
cannot be placed and is reported so.

How communities are assigned: a community goes to a site of its own county (the county
runs its points; the whole city's sites only when its county has none), nearest first.
Each site takes, over the round's days, at most its capacity: every open hour
tables x people per table per hour, but no more a day than the edition's site_day_max nor
table_day_max per table. A site over capacity keeps its nearest communities and spills
the farthest to their next-nearest site (deferred acceptance: it ends with no community
preferring a site that would have had room for it). Communities no candidate site can
hold are reported. Each community gets a time slot at its site sized by its residents,
nearest community first.

Setting sites up and assigning need MANAGE_TESTING inside the caller's jurisdiction;
every change is audited."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from heapq import nsmallest

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, edits, policy
from epicommand.core.access import Capability, any_region_q, covers, require
from epicommand.core.bulk import chunks
from epicommand.core.models import Region, RegionBoundary
from epicommand.places.models import Venue

from ..models import Round, RoundProgress, SamplingSite, SiteAssignment

C = Capability
SITE_FIELDS = (
    "name",
    "region_id",
    "address",
    "latitude",
    "longitude",
    "tables",
    "opens_at",
    "closes_at",
    "per_table_hour",
)
MAX_TABLES = 500
MAX_PER_TABLE_HOUR = 600
# A community weighs the nearest sites of its county only: enough to spill over a few
# full ones, and it keeps a county of 600 sites and 300 villages fast.
CANDIDATE_SITES = 30
EARTH_KM = 6371.0


# Sites ---------------------------------------------------------------------------------------


def _text_error(value, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return _("is required")
    if "\x00" in value or len(value.strip()) > limit:
        return _("must be text of at most %(n)d characters") % {"n": limit}
    return None


def _site_errors(actor, data: dict) -> dict[str, str]:
    errors = {}
    for name, limit in (("name", 150), ("address", 200)):
        if problem := _text_error(data.get(name), limit):
            errors[name] = problem
        else:
            data[name] = data[name].strip()
    code = data.get("region_id")
    code = code.strip() if isinstance(code, str) else ""
    data["region_id"] = code
    region = Region.objects.filter(code=code).only("level").first() if code else None
    if region is None:
        errors["region_id"] = _("unknown region code %(c)s") % {"c": code}
    elif region.level == Region.Level.CITY:
        errors["region_id"] = _("a site stands in a county, township or village, not the city")
    elif not covers(actor, code):
        errors["region_id"] = _("is outside your jurisdiction")
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            errors[name] = _("must be a number")
        elif not -bound <= value <= bound:
            errors[name] = _("must be between %(a)d and %(b)d") % {"a": -bound, "b": bound}
    for name, top in (("tables", MAX_TABLES), ("per_table_hour", MAX_PER_TABLE_HOUR)):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            errors[name] = _("must be a whole number from 1 to %(n)d") % {"n": top}
    opens, closes = data.get("opens_at"), data.get("closes_at")
    for name, value in (("opens_at", opens), ("closes_at", closes)):
        if not isinstance(value, time):
            errors[name] = _("must be a time of day")
        elif value.tzinfo is not None:  # the site's clock is Beijing's: an offset is a mistake
            errors[name] = _("must be a local time of day, without a time zone")
    if "opens_at" not in errors and "closes_at" not in errors and closes <= opens:
        errors["closes_at"] = _("must be after the opening time (a site closes the same day)")
    return errors


@transaction.atomic
def create_site(
    actor,
    *,
    name: str,
    region_id: str,
    address: str,
    latitude: float,
    longitude: float,
    tables: int,
    opens_at: time,
    closes_at: time,
    per_table_hour: int,
    is_active: bool = True,
) -> SamplingSite:
    """A sampling point inside the actor's jurisdiction."""
    require(actor, C.MANAGE_TESTING)
    data = dict(
        name=name,
        region_id=region_id,
        address=address,
        latitude=latitude,
        longitude=longitude,
        tables=tables,
        opens_at=opens_at,
        closes_at=closes_at,
        per_table_hour=per_table_hour,
    )
    errors = _site_errors(actor, data)
    if errors:
        raise ValidationError(errors)
    site = SamplingSite.objects.create(**data, is_active=bool(is_active))
    audit.record(actor, "sampling_site.create", site)
    return site


@transaction.atomic
def update_site(actor, site: SamplingSite, *, reason: str = "", **changes) -> SamplingSite:
    """Change any of SITE_FIELDS or `is_active`; the audit line names what changed.
    Assignments already made keep their slots: assign again to use the new hours."""
    require(actor, C.MANAGE_TESTING)
    if not covers(actor, site.region_id):
        raise ValidationError({"site": _("is outside your jurisdiction")})
    site = SamplingSite.objects.select_for_update().get(pk=site.pk)
    data = edits.proposed(site, changes, SITE_FIELDS)
    if errors := _site_errors(actor, data):
        raise ValidationError(errors)
    changed = edits.apply(site, data, changes, SITE_FIELDS)
    edits.audit_changes(actor, "sampling_site.update", site, changed, reason)
    return site


# Where villages are --------------------------------------------------------------------------


def village_points(codes: list[str]) -> dict[str, tuple[float, float]]:
    """{village code: (latitude, longitude)}: the boundary's centroid, else the mean of its
    venues. Villages with neither are left out."""
    points = {}
    for part in chunks(codes, 900):
        for code, geometry in RegionBoundary.objects.filter(region_id__in=part).values_list(
            "region_id", "geometry"
        ):
            point = _centroid(geometry)
            if point is not None:
                points[code] = point
    missing = [c for c in codes if c not in points]
    for part in chunks(missing, 900):
        rows = (
            Venue.objects.filter(region_id__in=part)
            .order_by()
            .values("region_id")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        )
        points.update({row["region_id"]: (row["lat"], row["lon"]) for row in rows})
    return points


def _centroid(geometry) -> tuple[float, float] | None:
    """The mean of the outer ring's corners of a GeoJSON Polygon (the largest part of a
    MultiPolygon): for the convex cells of a village it lies inside, and near enough."""
    try:
        kind, coordinates = geometry["type"], geometry["coordinates"]
        if kind == "MultiPolygon":
            coordinates = max(coordinates, key=lambda polygon: len(polygon[0]))
        ring = coordinates[0]
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring = ring[:-1]
        lon = sum(p[0] for p in ring) / len(ring)
        lat = sum(p[1] for p in ring) / len(ring)
    except (KeyError, IndexError, TypeError, ZeroDivisionError):
        return None
    return lat, lon


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


# A site's open hours in a round --------------------------------------------------------------


@dataclass
class SiteHours:
    """A site's effective sampling windows in the round (its open hours inside the round,
    each day cut short where the day's cap is reached) and its rate."""

    site: SamplingSite
    per_hour: int
    windows: list[tuple[datetime, datetime]]
    days: int

    @property
    def capacity(self) -> int:
        hours = sum((end - start).total_seconds() for start, end in self.windows) / 3600
        return int(hours * self.per_hour + 1e-6)


def site_hours(site: SamplingSite, round_: Round, edition=None) -> SiteHours:
    edition = edition or policy.active()
    per_hour = site.tables * site.per_table_hour
    day_cap = min(edition.site_day_max, site.tables * edition.table_day_max)
    cap_hours = timedelta(hours=day_cap / per_hour)
    zone = timezone.get_default_timezone()
    windows = []
    day: date = timezone.localdate(round_.starts_at)
    last = timezone.localdate(round_.ends_at)
    while day <= last:
        start = max(datetime.combine(day, site.opens_at, zone), round_.starts_at)
        end = min(datetime.combine(day, site.closes_at, zone), round_.ends_at)
        end = min(end, start + cap_hours)
        if end > start:
            windows.append((start, end))
        day += timedelta(days=1)
    return SiteHours(site, per_hour, windows, len(windows))


def slots(hours: SiteHours, residents: list[int]) -> list[tuple[datetime, datetime]]:
    """Consecutive slots along the site's windows, one per community, each as long as its
    residents take at the site's rate (to the minute; a slot may run into the next day)."""
    found = []
    index, cursor = 0, hours.windows[0][0] if hours.windows else None
    for people in residents:
        need = timedelta(hours=people / hours.per_hour)
        start = None
        while index < len(hours.windows):
            window_start, window_end = hours.windows[index]
            cursor = max(cursor, window_start)
            room = window_end - cursor
            if room > timedelta(0):
                start = start or cursor
                if need <= room:
                    cursor += need
                    break
                need -= room
            index += 1
        found.append((_minute(start or cursor, up=False), _minute(cursor, up=True)))
    return found


def _minute(at: datetime, *, up: bool) -> datetime:
    floor = at.replace(second=0, microsecond=0)
    return floor + timedelta(minutes=1) if up and floor != at else floor


# Assigning communities -----------------------------------------------------------------------


@dataclass
class Community:
    code: str
    name: str
    residents: int
    point: tuple[float, float] | None = None
    candidates: list[tuple[float, int]] = field(default_factory=list)  # (km, site id)
    next_choice: int = 0
    site_id: int | None = None
    km: float = 0.0


@dataclass(frozen=True)
class Unplaced:
    code: str
    name: str
    residents: int
    reason: str


@dataclass(frozen=True)
class SiteLoad:
    site: SamplingSite
    communities: int
    residents: int
    capacity: int
    days: int

    @property
    def per_day(self) -> int:
        return round(self.residents / self.days) if self.days else 0

    @property
    def per_table_day(self) -> int:
        return round(self.per_day / self.site.tables)

    @property
    def under_used(self) -> bool:
        """Below the edition's least load of a point: merge it with a neighbour."""
        return 0 < self.per_day < policy.active().site_day_min


@dataclass(frozen=True)
class AssignmentReport:
    round: Round
    assigned: int  # communities placed
    residents: int  # their residents
    loads: list[SiteLoad]
    unplaced: list[Unplaced]


def _communities(round_: Round) -> list[Community]:
    rows = (
        RoundProgress.objects.filter(round=round_, target__gt=0)
        .order_by("region_id")
        .values_list("region_id", "region__name", "target")
    )
    return [Community(code, name, target) for code, name, target in rows]


def _round_sites(round_: Round) -> list[SamplingSite]:
    """Active sites in the counties the round covers (a site at the township office
    serves the villages of a round that names only them)."""
    counties = {code[:6] for code in round_.regions.values_list("code", flat=True)}
    return list(
        SamplingSite.objects.filter(
            any_region_q(sorted(counties), "region_id"), is_active=True
        ).order_by("pk")
    )


def _rank_sites(communities: list[Community], sites: list[SamplingSite]) -> None:
    by_county: dict[str, list[SamplingSite]] = {}
    for site in sites:
        by_county.setdefault(site.region_id[:6], []).append(site)
    for community in communities:
        if community.point is None:
            continue
        near = by_county.get(community.code[:6]) or sites
        community.candidates = nsmallest(
            CANDIDATE_SITES,
            ((distance_km(community.point, (s.latitude, s.longitude)), s.pk) for s in near),
        )


def _place(communities: list[Community], capacity: dict[int, int]) -> None:
    """Deferred acceptance: each community asks its nearest site not yet refusing it; a
    site keeps the nearest communities that fit and refuses the rest."""
    held: dict[int, list[Community]] = {pk: [] for pk in capacity}
    waiting = [c for c in communities if c.candidates]
    while waiting:
        touched = set()
        for community in waiting:
            km, site_id = community.candidates[community.next_choice]
            community.next_choice += 1
            community.km = km
            held[site_id].append(community)
            touched.add(site_id)
        waiting = []
        for site_id in touched:
            kept, room = [], capacity[site_id]
            for community in sorted(held[site_id], key=lambda c: (c.km, c.code)):
                if community.residents <= room:
                    kept.append(community)
                    room -= community.residents
                elif community.next_choice < len(community.candidates):
                    waiting.append(community)
            held[site_id] = kept
    for site_id, kept in held.items():
        for community in kept:
            community.site_id = site_id


@transaction.atomic
def assign_communities(actor, round_: Round) -> AssignmentReport:
    """Send every community of the round to a site (see the module's notes) and give it a
    slot; replaces the round's earlier assignments. Refused for a closed round."""
    require(actor, C.MANAGE_TESTING, region=round_.region_id)
    # Locked: two offices assigning at once would each delete the other's rows.
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status == Round.Status.CLOSED:
        raise ValidationError({"round": _("the round is closed")})
    edition = policy.active()
    communities = _communities(round_)
    points = village_points([c.code for c in communities])
    for community in communities:
        community.point = points.get(community.code)
    sites = _round_sites(round_)
    hours = {site.pk: site_hours(site, round_, edition) for site in sites}
    _rank_sites(communities, sites)
    _place(communities, {pk: h.capacity for pk, h in hours.items()})

    SiteAssignment.objects.filter(round=round_).delete()
    rows, loads = [], []
    by_site: dict[int, list[Community]] = {}
    for community in communities:
        if community.site_id is not None:
            by_site.setdefault(community.site_id, []).append(community)
    for site in sites:
        placed = sorted(by_site.get(site.pk, []), key=lambda c: (c.km, c.code))
        for community, (start, end) in zip(
            placed, slots(hours[site.pk], [c.residents for c in placed]), strict=True
        ):
            rows.append(
                SiteAssignment(
                    round=round_,
                    site=site,
                    region_id=community.code,
                    residents=community.residents,
                    slot_start=start,
                    slot_end=end,
                )
            )
        loads.append(
            SiteLoad(
                site,
                len(placed),
                sum(c.residents for c in placed),
                hours[site.pk].capacity,
                hours[site.pk].days,
            )
        )
    SiteAssignment.objects.bulk_create(rows, batch_size=2000)
    unplaced = [_why_unplaced(c, sites) for c in communities if c.site_id is None]
    audit.record(
        actor,
        "testing_round.assign",
        round_,
        reason=f"{len(rows)} communities to {sum(1 for x in loads if x.communities)} sites; "
        f"{len(unplaced)} not placed",
    )
    return AssignmentReport(round_, len(rows), sum(r.residents for r in rows), loads, unplaced)


def _why_unplaced(community: Community, sites: list[SamplingSite]) -> Unplaced:
    if not sites:
        reason = _("no sampling site in use in the round's counties")
    elif community.point is None:
        reason = _("the community has no boundary and no venue to locate it")
    else:
        reason = _("no nearby site has room left for its residents over the round")
    return Unplaced(community.code, community.name, community.residents, reason)
