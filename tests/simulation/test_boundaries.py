"""seed-city outlines every region for the risk-area map: valid GeoJSON polygons of positive
area, every village inside its township, every township inside its county, every county
inside the city, and siblings tiling their parent without gaps or overlaps."""

import pytest

from epicommand.core.models import Region, RegionBoundary
from epicommand.simulation import boundaries
from epicommand.simulation.geography import plan_city

from .conftest import SEED

# Boundaries are stored to 6 decimals (about 0.1 m): a vertex on a parent's edge may sit
# that far outside it.
TOLERANCE = 1e-5


def ring_of(geometry: dict) -> list[tuple[float, float]]:
    assert geometry["type"] == "Polygon"
    (ring,) = geometry["coordinates"]
    assert len(ring) >= 4 and ring[0] == ring[-1], "a closed ring"
    return [boundaries.to_plane(lat, lon) for lon, lat in ring[:-1]]


def inside(parent: list, point, tolerance=TOLERANCE) -> bool:
    """Within a counter-clockwise convex ring (or within `tolerance` degrees of its edge)."""
    for i, a in enumerate(parent):
        b = parent[(i + 1) % len(parent)]
        edge = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
        if boundaries._cross(a, b, point) < -tolerance * edge:
            return False
    return True


def test_seed_city_outlines_every_region_and_they_nest(seeded_city):
    rings = {
        code: ring_of(geometry)
        for code, geometry in RegionBoundary.objects.values_list("region_id", "geometry")
    }
    regions = list(Region.objects.values_list("code", "parent_id", "level"))
    assert set(rings) == {code for code, _parent, _level in regions}
    children: dict[str, list[str]] = {}
    for code, parent, _level in regions:
        assert boundaries.area(rings[code]) > 0, f"{code} has an area and runs counter-clockwise"
        if parent:
            children.setdefault(parent, []).append(code)
            assert all(inside(rings[parent], p) for p in rings[code]), f"{code} leaves {parent}"
    for parent, codes in children.items():
        total = sum(boundaries.area(rings[c]) for c in codes)
        # Siblings cover their parent: no gap, no overlap (but the rounding of corners).
        assert abs(total - boundaries.area(rings[parent])) < 1e-4 * boundaries.area(rings[parent])


def test_a_village_is_where_its_venues_are_and_the_epicentre_is_in_gaocheng(seeded_city):
    rings = dict(RegionBoundary.objects.values_list("region_id", "geometry"))
    xgz = ring_of(rings["130109104201"])
    gaocheng = ring_of(rings["130109"])
    assert all(inside(gaocheng, p) for p in xgz)
    # Gaocheng lies east of the urban core (Chang'an).
    east = max(p[0] for p in gaocheng)
    assert east > max(p[0] for p in ring_of(rings["130102"]))


@pytest.mark.scale
def test_the_whole_city_is_outlined_one_cell_for_every_region():
    city = plan_city(SEED)
    cells = boundaries.outline(boundaries.nodes_from_plan(city))
    assert set(cells) == {place.code for place in boundaries.walk(city)}
    assert len(cells) > 6000


def test_a_city_without_a_plan_is_outlined_from_the_database(city):
    """The test city, built region by region: counties from the reference table, the rest
    drawn inside their parents."""
    assert boundaries.generate_from_database() == Region.objects.count()
    rings = {
        code: ring_of(geometry)
        for code, geometry in RegionBoundary.objects.values_list("region_id", "geometry")
    }
    assert all(inside(rings["130109104"], p) for p in rings["130109104201"])
    assert all(inside(rings["130109"], p) for p in rings["130109104"])
    assert all(inside(rings["130100"], p) for p in rings["130109"])
    assert all(boundaries.area(ring) > 0 for ring in rings.values())
    # Generating again replaces them.
    assert boundaries.generate_from_database() == Region.objects.count()
    assert RegionBoundary.objects.count() == Region.objects.count()
