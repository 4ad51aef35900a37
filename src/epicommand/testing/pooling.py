"""How many swabs go into one tube. The edition pools by the risk of the area a person is
sampled for (1:1 in high-risk areas and for persons in quarantine, 5:1 medium, 10:1 low),
and only while positivity stays under its ceiling; Dorfman's formula says which pool size
would cost the fewest tests at the positivity observed."""

import math

from epicommand.control.levels import LevelMap, levels_in_force
from epicommand.control.models import RiskLevel
from epicommand.core import policy


def pool_size_for(
    region_code: str, *, in_quarantine: bool = False, levels: LevelMap | None = None, edition=None
) -> int:
    """The pool size for a person living in `region_code` (pass `levels` when sizing many,
    so the areas in force are read once)."""
    edition = edition or policy.active()
    if in_quarantine:
        return edition.pool_size_high
    level = (levels or levels_in_force()).level_of(region_code)
    return {
        RiskLevel.HIGH: edition.pool_size_high,
        RiskLevel.MEDIUM: edition.pool_size_medium,
    }.get(level, edition.pool_size_low)


def tests_per_person(positivity: float, size: int) -> float:
    """Dorfman: one test per pool, plus `size` single re-tests when the pool is positive
    (probability 1 - (1 - p)^size); a pool of one is just one test."""
    if size <= 1:
        return 1.0
    return 1.0 / size + 1.0 - (1.0 - positivity) ** size


def dorfman_pool_size(positivity: float) -> int | None:
    """The pool size with the fewest expected tests per person at `positivity` (a fraction,
    0.001 for 0.1 %), however large; 1 when pooling would cost more than testing everyone
    alone; None before any positive, when every larger pool is cheaper still. The optimum
    lies near 1/sqrt(p), so sizes up to twice that are enough to search."""
    if positivity <= 0:
        return None
    largest = max(2, math.ceil(2 / math.sqrt(positivity)) + 1)
    return min(range(1, largest + 1), key=lambda k: (tests_per_person(positivity, k), k))


def largest_policy_pool(edition=None) -> int:
    """The largest pool the edition runs anywhere (10 in the reference city): dilution caps
    what labs accept, whatever Dorfman would save."""
    edition = edition or policy.active()
    return max(edition.pool_size_low, edition.pool_size_medium, edition.pool_size_high)
