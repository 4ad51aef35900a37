"""Plausible region boundaries for the demo city, for the risk-area map (core RegionBoundary).

A real city imports its official boundaries; the demo city has none, so they are made up:

- the city is the convex hull of a ring of points around every county's centre;
- a county is the Voronoi cell of its centre among the counties, clipped to the city;
- a township is the Voronoi cell of its centre among its sibling townships, clipped to its
  county's cell; villages and communities likewise within their township.

Every cell is an intersection of half-planes with a convex polygon, so cells stay convex,
siblings tile their parent without gaps or overlaps, and a child never leaves its parent.
A cell is non-empty when its centre lies strictly inside the parent: centres that the
generator scattered outside (a township of a small urban district) are pulled inside first.

Pure Python, no geometry library: about 6,000 villages take well under a second, because
a cell stops clipping at the first sibling too far away to cut it (siblings nearest first).

The computation runs in a local plane, x = longitude × cos(city latitude), y = latitude,
so that distances are roughly true; the stored geometry is GeoJSON (longitude, latitude)."""

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Avg

from epicommand.core.bulk import bulk_insert
from epicommand.core.models import Region, RegionBoundary
from epicommand.places.models import Venue

from .geography import CITY_LATITUDE, CITY_LONGITUDE, COUNTIES, Place, walk

# Degrees of longitude are shorter than degrees of latitude at Shijiazhuang.
X_SCALE = math.cos(math.radians(CITY_LATITUDE))
# The city reaches this far beyond a county's radius around its centre.
CITY_MARGIN = 1.6
RING_POINTS = 16
# Centres are kept inside this fraction of the parent cell (towards its centroid).
INSIDE = 0.9
DECIMALS = 6  # about 0.1 m

Point = tuple[float, float]


@dataclass
class Node:
    """A region to outline: its centre in the local plane (None: unknown, placed inside the
    parent's cell) and its children."""

    code: str
    site: Point | None
    radius: float = 0.0  # degrees; counties only, for the city's outline
    children: list["Node"] = field(default_factory=list)


# Geometry in the plane -------------------------------------------------------------------


def to_plane(latitude: float, longitude: float) -> Point:
    return (longitude * X_SCALE, latitude)


def to_lon_lat(point: Point) -> list[float]:
    return [round(point[0] / X_SCALE, DECIMALS), round(point[1], DECIMALS)]


def convex_hull(points: Iterable[Point]) -> list[Point]:
    """Counter-clockwise hull (Andrew's monotone chain)."""
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def half(sequence):
        chain: list[Point] = []
        for p in sequence:
            while len(chain) >= 2 and _cross(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(points), half(reversed(points))
    return lower[:-1] + upper[:-1]


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def area(polygon: list[Point]) -> float:
    """Signed area: positive for a counter-clockwise ring."""
    total = 0.0
    for i, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[(i + 1) % len(polygon)]
        total += x1 * y2 - x2 * y1
    return total / 2


def centroid(polygon: list[Point]) -> Point:
    a = area(polygon)
    if abs(a) < 1e-15:
        xs, ys = zip(*polygon, strict=True)
        return (sum(xs) / len(xs), sum(ys) / len(ys))
    cx = cy = 0.0
    for i, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[(i + 1) % len(polygon)]
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return (cx / (6 * a), cy / (6 * a))


def clip(polygon: list[Point], site: Point, other: Point) -> list[Point]:
    """The part of a convex polygon nearer to `site` than to `other` (one Sutherland-Hodgman
    step against their perpendicular bisector)."""
    nx, ny = other[0] - site[0], other[1] - site[1]
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    # side(p) <= 0: p is on site's side.
    sides = [(p[0] - mx) * nx + (p[1] - my) * ny for p in polygon]
    if all(s <= 0 for s in sides):
        return polygon
    kept: list[Point] = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        sp, sq = sides[i], sides[(i + 1) % len(polygon)]
        if sp <= 0:
            kept.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            kept.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return kept


def voronoi_cells(parent: list[Point], sites: list[Point]) -> list[list[Point]]:
    """Each site's Voronoi cell among `sites`, clipped to the convex `parent`. Siblings are
    tried nearest first; once a sibling is twice as far as the cell's farthest corner, none
    further can cut the cell."""
    cells = []
    for i, site in enumerate(sites):
        others = sorted((math.dist(site, other), other) for j, other in enumerate(sites) if j != i)
        cell = parent
        reach = max(math.dist(site, p) for p in cell)
        for distance, other in others:
            if distance / 2 >= reach:
                break
            clipped = clip(cell, site, other)
            if clipped is not cell:
                cell = clipped
                reach = max(math.dist(site, p) for p in cell)
        cells.append(cell)
    return cells


def pull_inside(polygon: list[Point], points: list[Point | None], rng) -> list[Point]:
    """Centres strictly inside the convex polygon and distinct: an unknown centre is drawn
    at random inside, one outside (or too near the edge) is moved along the line to the
    centroid until it is within the polygon shrunk to INSIDE."""
    middle = centroid(polygon)
    inner = [
        (middle[0] + INSIDE * (x - middle[0]), middle[1] + INSIDE * (y - middle[1]))
        for x, y in polygon
    ]
    placed: list[Point] = []
    seen: set[Point] = set()
    for point in points:
        if point is None:
            point = _random_inside(inner, middle, rng)
        elif not _inside(inner, point):
            point = _towards(inner, middle, point)
        while (round(point[0], 9), round(point[1], 9)) in seen:
            point = _random_inside(inner, middle, rng)  # two centres in one place
        seen.add((round(point[0], 9), round(point[1], 9)))
        placed.append(point)
    return placed


def _inside(polygon: list[Point], point: Point) -> bool:
    """Strictly inside a counter-clockwise convex polygon."""
    n = len(polygon)
    return n >= 3 and all(_cross(polygon[i], polygon[(i + 1) % n], point) > 0 for i in range(n))


def _towards(polygon: list[Point], middle: Point, point: Point) -> Point:
    # The largest t with middle + t (point - middle) inside, by bisection: a few dozen
    # steps for the rare centre outside its parent.
    low, high = 0.0, 1.0
    for _ in range(40):
        mid = (low + high) / 2
        candidate = (
            middle[0] + mid * (point[0] - middle[0]),
            middle[1] + mid * (point[1] - middle[1]),
        )
        if _inside(polygon, candidate):
            low = mid
        else:
            high = mid
    t = low * 0.95
    return (middle[0] + t * (point[0] - middle[0]), middle[1] + t * (point[1] - middle[1]))


def _random_inside(polygon: list[Point], middle: Point, rng) -> Point:
    xs, ys = zip(*polygon, strict=True)
    for _ in range(200):
        point = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
        if _inside(polygon, point):
            return point
    return (middle[0] + rng.uniform(-1e-6, 1e-6), middle[1] + rng.uniform(-1e-6, 1e-6))


# The tree --------------------------------------------------------------------------------


def city_outline(counties: list[Node]) -> list[Point]:
    ring = []
    for county in counties:
        radius = (county.radius or 0.1) * CITY_MARGIN
        for k in range(RING_POINTS):
            angle = 2 * math.pi * k / RING_POINTS
            ring.append(
                (
                    county.site[0] + radius * math.cos(angle),
                    county.site[1] + radius * math.sin(angle),
                )
            )
    return convex_hull(ring)


def outline(city: Node) -> dict[str, list[Point]]:
    """{region code: cell (counter-clockwise ring, not closed)} for the whole tree."""
    rng = random.Random(f"boundaries:{city.code}")
    if any(county.site is None for county in city.children):
        known = [c.site for c in city.children if c.site is not None]
        middle = known[0] if known else to_plane(CITY_LATITUDE, CITY_LONGITUDE)
        for county in city.children:
            if county.site is None:
                county.site = (
                    middle[0] + rng.uniform(-0.3, 0.3),
                    middle[1] + rng.uniform(-0.3, 0.3),
                )
    cells = {city.code: city_outline(city.children)}
    pending = [city]
    while pending:
        parent = pending.pop()
        if not parent.children:
            continue
        polygon = cells[parent.code]
        sites = pull_inside(polygon, [child.site for child in parent.children], rng)
        for child, cell in zip(parent.children, voronoi_cells(polygon, sites), strict=True):
            cells[child.code] = cell
            pending.append(child)
    return cells


def geometry(cell: list[Point]) -> dict:
    """A GeoJSON Polygon: one closed, counter-clockwise ring of [longitude, latitude]."""
    ring = [to_lon_lat(p) for p in cell]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def nodes_from_plan(city: Place) -> Node:
    """The seed plan's tree, with the centres the generator gave every region."""
    nodes: dict[str, Node] = {}
    for place in walk(city):
        node = Node(place.code, to_plane(place.latitude, place.longitude), place.radius)
        nodes[place.code] = node
        if place.parent is not None:
            nodes[place.parent.code].children.append(node)
    return nodes[city.code]


def nodes_from_database() -> Node | None:
    """The stored tree. Centres: a county's from the reference table, a village's from the
    mean position of its venues; a township from its villages'; anything else unknown (drawn
    inside its parent's cell)."""
    regions = list(Region.objects.order_by("code").values_list("code", "level", "parent_id"))
    if not regions:
        return None
    venues = {
        code: to_plane(lat, lon)
        for code, lat, lon in _venue_centres()
        if lat is not None and lon is not None
    }
    reference = {c[0]: (to_plane(c[4], c[5]), c[6]) for c in COUNTIES}
    nodes: dict[str, Node] = {}
    root = None
    for code, level, parent in regions:
        site, radius = venues.get(code), 0.0
        if level == Region.Level.COUNTY and code in reference:
            site, radius = reference[code]
        node = Node(code, site, radius)
        nodes[code] = node
        if parent is None or parent not in nodes:
            root = root or node
        else:
            nodes[parent].children.append(node)
    for node in nodes.values():  # townships without venues of their own: their villages'
        if node.site is None and node.children:
            known = [c.site for c in node.children if c.site is not None]
            if known:
                node.site = (
                    sum(p[0] for p in known) / len(known),
                    sum(p[1] for p in known) / len(known),
                )
    return root


def _venue_centres():
    centres = Venue.objects.values("region_id").annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    return centres.values_list("region_id", "lat", "lon")


# Storing ---------------------------------------------------------------------------------


def write(cells: dict[str, list[Point]]) -> int:
    """Replace the stored boundaries by these (a whole city's); returns how many."""
    with transaction.atomic():
        RegionBoundary.objects.all().delete()
        return bulk_insert(
            RegionBoundary._meta.db_table,
            ("region_id", "geometry"),
            ((code, json.dumps(geometry(cell))) for code, cell in cells.items()),
        )


def generate_for_plan(city: Place) -> int:
    """Boundaries of a city the seed has just planned (seed-city calls this)."""
    return write(outline(nodes_from_plan(city)))


def generate_from_database() -> int:
    """Boundaries of whatever city the database holds (a city seeded before boundaries
    existed, or the test city)."""
    root = nodes_from_database()
    return write(outline(root)) if root is not None else 0
