"""How far a point is from a region's outline (GeoJSON Polygon or MultiPolygon, WGS 84), in
metres: zero inside. An equirectangular projection around the point is exact enough for
the few hundred metres a tourist site's closing rule asks about."""

import math

EARTH_M = 6_371_000.0


def distance_m(lat: float, lon: float, geometry: dict) -> float:
    """Metres from (lat, lon) to the geometry; 0 when the point lies inside it."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    best = math.inf
    for polygon in polygons:
        rings = [_projected(lat, lon, ring) for ring in polygon if ring]
        if not rings:
            continue
        if _inside(rings[0]) and not any(_inside(hole) for hole in rings[1:]):
            return 0.0
        for ring in rings:
            best = min(best, _to_ring(ring))
    return best


def _projected(lat: float, lon: float, ring) -> list[tuple[float, float]]:
    """The ring in metres, the point at the origin."""
    scale = math.radians(1) * EARTH_M
    cos_lat = math.cos(math.radians(lat))
    return [((x - lon) * scale * cos_lat, (y - lat) * scale) for x, y, *_ in ring]


def _inside(ring) -> bool:
    """Ray casting from the origin along +x."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > 0) != (y2 > 0) and x1 + (0 - y1) * (x2 - x1) / (y2 - y1) > 0:
            inside = not inside
    return inside


def _to_ring(ring) -> float:
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length))
        best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
    return best
