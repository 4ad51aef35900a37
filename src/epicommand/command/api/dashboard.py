"""The command dashboard's figures as JSON: the same figures, from the same counters, scoped
the same way as the page."""

from datetime import date

from ninja import Field, Router, Schema

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.dashboard import FIGURES, build_dashboard

router = Router(tags=["dashboard"])


class FigureOut(Schema):
    key: str
    label: str
    kind: str = Field(description="stock: the value now; flow: what happened that day")
    value: int
    url: str = Field(description="The list of the records the figure counts.")


class RegionFiguresOut(Schema):
    code: str
    name: str
    figures: list[FigureOut]


class SeriesOut(Schema):
    key: str
    label: str
    values: list[int] = Field(description="One value a day, in the order of `days`.")


class AwaitedOut(Schema):
    key: str
    title: str
    module: str


class DashboardOut(Schema):
    day: date = Field(description="Today, Asia/Shanghai: the day of the flow figures.")
    region: RegionFiguresOut
    counties: list[RegionFiguresOut] = Field(
        description="Each county under the region (the county itself for a county)."
    )
    days: list[date]
    series: list[SeriesOut]
    awaiting: list[AwaitedOut] = Field(
        description="Panels whose module has not landed yet: no figures until it does."
    )


def _region(found) -> dict:
    return {
        "code": found.region.code,
        "name": found.region.name,
        "figures": [
            {
                "key": key,
                "label": str(FIGURES[key].label),
                "kind": str(FIGURES[key].kind),
                "value": value,
                "url": found.urls[key],
            }
            for key, value in found.values.items()
        ],
    }


@router.get("", response={200: DashboardOut, **ERRORS}, summary="Command dashboard figures")
def dashboard(request, region: str | None = region_filter()):
    """The dashboard of your city or county (or, for the city office, of one county given
    by `region`), read from the counters the services keep. 404 outside your scope."""
    require(request.auth, Capability.VIEW_DASHBOARD)
    board = build_dashboard(request.auth, region)
    return {
        "day": board.day,
        "region": _region(board.focus),
        "counties": [_region(c) for c in board.counties],
        "days": board.days,
        "series": [
            {"key": key, "label": str(FIGURES[key].label), "values": values}
            for key, values in board.series.items()
        ],
        "awaiting": [
            {"key": p.key, "title": str(p.title), "module": str(p.module)} for p in board.awaiting
        ],
    }
