"""Reads for the risk-area pages and API: areas in force (public information, the same for
everyone), proposals and history (scoped by the area's region), the map's GeoJSON, and the
health-code colour distribution per district (from the counters, never the tables)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils import timezone

from epicommand.core import counters
from epicommand.core.models import Region, RegionBoundary

from ..levels import LevelMap, levels_in_force
from ..models import RISK_ORDER, RiskArea, RiskLevel

S = RiskArea.Status
PAGE_SIZE = 50
LIST_LIMIT = 200  # areas in force or proposed: a few dozen in a real outbreak
PUBLIC_CHANGE_DAYS = 30
MAP_CACHE_SECONDS = 600
COLOUR_METRICS = ["persons", "codes_red", "codes_yellow"]


def region_labels(codes, *, short: bool = False) -> dict[str, str]:
    """{code: "藁城区 增村镇 小果庄村"} (county, township, village; the city by its own name)
    in one query; `short` gives the region's own name only."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    wanted = set(codes)
    if not short:
        for code in codes:
            wanted.update(code[:n] for n in (6, 9) if len(code) > n)
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    labels = {}
    for code in codes:
        if code not in names:
            continue
        if short:
            labels[code] = names[code]
            continue
        parts = [code[:n] for n in (6, 9) if len(code) > n] + [code]
        labels[code] = " ".join(names[p] for p in parts if p in names)
    return labels


def _with_regions(areas):
    return areas.select_related("region", "confirmed_by").prefetch_related(
        Prefetch("regions", queryset=Region.objects.only("code", "name", "level").order_by("code"))
    )


def label_areas(areas: list[RiskArea]) -> list[RiskArea]:
    """Give every area `members`: [(code, label)] of the regions it names."""
    labels = region_labels(r.code for a in areas for r in a.regions.all())
    for area in areas:
        area.members = [(r.code, labels.get(r.code, r.name)) for r in area.regions.all()]
    return areas


def areas_in_force(*, levels=(RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)) -> list:
    """Every area in force, the worst first: public information, not scoped."""
    areas = _with_regions(RiskArea.objects.filter(status=S.IN_FORCE, level__in=levels))
    rows = list(areas.order_by("-in_force_from", "-pk")[:LIST_LIMIT])
    rows.sort(key=lambda a: -RISK_ORDER[a.level])
    return label_areas(rows)


def proposals_for(who) -> list[RiskArea]:
    areas = _with_regions(RiskArea.objects.visible_to(who).filter(status=S.PROPOSED))
    return label_areas(list(areas.order_by("-proposed_at", "-pk")[:LIST_LIMIT]))


def history_page(who, after: int | None = None, limit: int = PAGE_SIZE):
    """Lifted and dismissed areas in the user's jurisdiction, newest first, by key."""
    areas = RiskArea.objects.visible_to(who).filter(status__in=[S.LIFTED, S.DISMISSED])
    if after:
        areas = areas.filter(pk__lt=after)
    rows = list(_with_regions(areas).order_by("-pk")[: limit + 1])
    next_after = rows[limit - 1].pk if len(rows) > limit else None
    return label_areas(rows[:limit]), next_after


@dataclass(frozen=True)
class Change:
    at: datetime
    came_into_force: bool  # False: lifted
    area: RiskArea


def public_changes(now: datetime | None = None, days: int = PUBLIC_CHANGE_DAYS) -> list[Change]:
    """Areas that came into force or were lifted in the last `days`, newest first."""
    since = (now or timezone.now()) - timedelta(days=days)
    recent = Q(in_force_from__gte=since) | Q(lifted_at__gte=since)
    areas = _with_regions(
        RiskArea.objects.filter(recent, status__in=[S.IN_FORCE, S.LIFTED]).exclude(
            in_force_from__isnull=True
        )
    )
    rows = label_areas(list(areas.order_by("-pk")[:LIST_LIMIT]))
    changes = []
    for area in rows:
        if area.in_force_from >= since:
            changes.append(Change(area.in_force_from, True, area))
        if area.lifted_at is not None and area.lifted_at >= since:
            changes.append(Change(area.lifted_at, False, area))
    changes.sort(key=lambda c: (c.at, not c.came_into_force), reverse=True)
    return changes


# The map -----------------------------------------------------------------------------------


def map_collection(region: Region, levels: LevelMap | None = None) -> dict:
    """A GeoJSON FeatureCollection of the region's children (or of the region itself when
    it has none), each with its name and the risk level over it. The outlines are cached;
    the levels, a few rows, are read every time."""
    shapes = cache.get(_map_key(region.code))
    if shapes is None:
        shapes = _shapes(region)
        cache.set(_map_key(region.code), shapes, MAP_CACHE_SECONDS)
    levels = levels or levels_in_force()
    features = []
    for code, name, region_level, geometry in shapes:
        prefix = code[:4] if region_level == Region.Level.CITY else code
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "code": code,
                    "name": name,
                    "region_level": region_level,
                    "level": str(levels.level_of(code)),
                    "inside": _worst_inside(levels, prefix),
                    "drillable": region_level < Region.Level.VILLAGE and code != region.code,
                },
                "geometry": geometry,
            }
        )
    path = region.ancestors()
    return {
        "type": "FeatureCollection",
        "features": features,
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "path": [{"code": r.code, "name": r.name} for r in path],
    }


def _map_key(code: str) -> str:
    return f"control:risk-map:{code}"


def _shapes(region: Region) -> list[tuple[str, str, int, dict]]:
    rows = list(
        RegionBoundary.objects.filter(region__parent_id=region.code)
        .order_by("region_id")
        .values_list("region_id", "region__name", "region__level", "geometry")
    )
    if not rows:
        rows = list(
            RegionBoundary.objects.filter(region_id=region.code).values_list(
                "region_id", "region__name", "region__level", "geometry"
            )
        )
    return rows


def _worst_inside(levels: LevelMap, prefix: str) -> str | None:
    """The worst level of the areas in force over a part of the region (a high-risk village
    in a low county), or None."""
    worst = None
    for key, (level, _area) in levels.levels.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            if level != RiskLevel.LOW and (worst is None or RISK_ORDER[level] > RISK_ORDER[worst]):
                worst = level
    return worst


def map_start(user) -> Region:
    """The map opens on the user's jurisdiction (the city for a city office)."""
    region = getattr(user, "scope_region", None)
    if region is not None:
        return region
    return Region.objects.filter(level=Region.Level.CITY).order_by("code").first()


# Colour distribution ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColourRow:
    region: Region
    persons: int
    red: int
    yellow: int

    @property
    def green(self) -> int:
        return max(self.persons - self.red - self.yellow, 0)


def colour_distribution(user, day: date | None = None) -> tuple[list[ColourRow], ColourRow | None]:
    """Per county in the user's jurisdiction, from the counters (codes_red, codes_yellow,
    persons): green is everyone else. With the city's own row for a city office."""
    day = day or timezone.localdate()
    counties = list(
        Region.objects.visible_to(user).filter(level=Region.Level.COUNTY).order_by("code")
    )
    scope = getattr(user, "scope_region", None)
    city = scope if scope is not None and scope.level == Region.Level.CITY else None
    codes = [c.code for c in counties] + ([city.code] if city else [])
    values = counters.latest_values(codes, COLOUR_METRICS, day)

    def row(region: Region) -> ColourRow:
        get = lambda metric: values.get((region.code, metric), 0)  # noqa: E731
        return ColourRow(region, get("persons"), get("codes_red"), get("codes_yellow"))

    return [row(c) for c in counties], (row(city) if city else None)
