"""The risk level in force over a region: the highest level of the risk areas in force that
cover it (a village in a high-risk town is high even when its district is medium). Read by
the scan and checkpoint intake (a visit to a risk area is a health-code fact) and by the
risk-area pages; changed only through services.risk."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from epicommand.core.counters import city_of

from .models import RISK_ORDER, RiskArea, RiskLevel


@dataclass(frozen=True)
class LevelMap:
    """{region code: level} of every region a risk area in force names, with the area."""

    levels: dict[str, tuple[str, int]]

    def level_of(self, region_code: str) -> str:
        """The level over `region_code`: the worst of the areas naming it or an ancestor."""
        best = RiskLevel.LOW
        for length in (4, 6, 9, 12):  # city scope prefix, county, township, village
            found = self.levels.get(region_code[:length])
            if found and RISK_ORDER[found[0]] > RISK_ORDER[best]:
                best = found[0]
        return best

    def area_of(self, region_code: str) -> int | None:
        """The id of the worst area in force over the region, if any."""
        best, area = RiskLevel.LOW, None
        for length in (4, 6, 9, 12):
            found = self.levels.get(region_code[:length])
            if found and RISK_ORDER[found[0]] >= RISK_ORDER[best]:
                best, area = found
        return area


def levels_in_force() -> LevelMap:
    """One query over the few areas in force. A city code (6 digits ending 00) is keyed by
    its 4-digit scope prefix so that it covers its counties."""
    levels: dict[str, tuple[str, int]] = {}
    rows = RiskArea.regions.through.objects.filter(
        riskarea__status=RiskArea.Status.IN_FORCE
    ).values_list("region_id", "region__level", "riskarea__level", "riskarea_id")
    for code, region_level, level, area_id in rows:
        key = code[:4] if region_level == 1 else code
        held = levels.get(key)
        if held is None or RISK_ORDER[level] > RISK_ORDER[held[0]]:
            levels[key] = (level, area_id)
    return LevelMap(levels)


def visit_key(area_id: int, person_id: int, at: datetime) -> str:
    """The source key of a visit fact: one per person, area and Asia/Shanghai day. The
    designation keys the latest visit before it, the scan and checkpoint intake each later
    day's, so a visit yesterday keeps the code red from yesterday on, and the many scans of
    one day make one fact."""
    return f"visit:{area_id}:{person_id}:{timezone.localdate(at).isoformat()}"


def ancestor_codes(region_code: str) -> list[str]:
    """The region and every region above it, from the city down."""
    codes = [city_of(region_code)] if len(region_code) >= 6 else []
    codes += [region_code[:n] for n in (6, 9, 12) if len(region_code) >= n]
    return list(dict.fromkeys(codes))
