"""The dashboard's figure registry: what each figure reads from the counters, and the list
behind it (every figure is a link to the records it counts), and the dashboard built from
them for a user's region.

A module adds its figures with `register(Figure(...))` at import of its own `dashboard`
module (loaded by its AppConfig.ready), naming the panel it fills; a panel in AWAITED (the
command module declares the dashboard's panels) that no figure fills says it appears when
that module lands. No figure is ever shown that no counter holds."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlencode

from django.http import Http404
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import Promise

from . import counters
from .models import Region

SERIES_DAYS = 14


class Kind(StrEnum):
    STOCK = "stock"  # the latest counter row: the value now
    FLOW = "flow"  # the day's counter row: what happened that day


def list_url(url_name: str, fallback: str, **params) -> str:
    """The list page with its filters; a plain path keeps the dashboard whole if a name is
    not wired yet."""
    path = _list_path(url_name, fallback, get_script_prefix(), get_urlconf())
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


@lru_cache(maxsize=64)
def _list_path(url_name: str, fallback: str, _prefix: str, _urlconf) -> str:
    # Cached: a dashboard links each figure of every county, and reverse() is not free.
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return fallback


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise
    metric: str
    kind: Kind
    # (region code, day) -> the list of the records the figure counts
    link: Callable[[str, date], str]
    panel: str = ""
    module: str = "command"

    def url(self, region_code: str, day: date) -> str:
        return self.link(region_code, day)


FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    if figure.metric not in counters.STOCK_METRICS | counters.FLOW_METRICS:
        raise ValueError(f"{figure.metric!r} is no counter metric: add it to core.counters")
    FIGURES[figure.key] = figure
    return figure


@dataclass(frozen=True)
class AwaitedPanel:
    """A panel of the issue's dashboard whose module has not landed: shown as a note that
    it appears with the module, never with numbers."""

    key: str
    title: Promise
    module: Promise


# The panels the command dashboard is drawn with, declared by the command module.
AWAITED: list[AwaitedPanel] = []


def awaited_panels() -> list[AwaitedPanel]:
    filled = {f.panel for f in FIGURES.values()}
    return [p for p in AWAITED if p.key not in filled]


# Building the dashboard ------------------------------------------------------------------


@dataclass
class RegionFigures:
    region: Region
    values: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def cells(self) -> list[dict]:
        return [
            {"key": key, "label": FIGURES[key].label, "value": value, "url": self.urls[key]}
            for key, value in self.values.items()
        ]


@dataclass
class Dashboard:
    day: date
    focus: RegionFigures
    counties: list[RegionFigures]
    days: list[date]
    series: dict[str, list[int]]  # flow figure key -> the focus region's last SERIES_DAYS

    @property
    def awaiting(self) -> list[AwaitedPanel]:
        return awaited_panels()


def dashboard_regions(who, region_code: str | None = None) -> tuple[Region, list[Region]]:
    """The region the dashboard is about (the user's city or county, or one of its counties
    asked for by code) and the counties shown under it. Http404 outside the user's scope,
    and for a user whose jurisdiction is narrower than a county (counters stop there)."""
    levels = (Region.Level.CITY, Region.Level.COUNTY)
    regions = list(Region.objects.visible_to(who).filter(level__in=levels).order_by("code"))
    if region_code:
        focus = next((r for r in regions if r.code == region_code), None)
    else:
        focus = regions[0] if regions else None
    if focus is None:
        raise Http404("no dashboard for this region")
    if focus.level == Region.Level.COUNTY:
        return focus, [focus]
    return focus, [r for r in regions if r.level == Region.Level.COUNTY and focus.contains(r.code)]


def build_dashboard(who, region_code: str | None = None, *, day: date | None = None) -> Dashboard:
    """Every registered figure for the focus region and each county, and the last
    SERIES_DAYS days of the flow figures: three queries on Region and Counter."""
    day = day or timezone.localdate()
    focus, counties = dashboard_regions(who, region_code)
    regions = {r.code: r for r in [focus, *counties]}
    codes = sorted(regions)
    stock = [f.metric for f in FIGURES.values() if f.kind == Kind.STOCK]
    flow = [f.metric for f in FIGURES.values() if f.kind == Kind.FLOW]
    first = day - timedelta(days=SERIES_DAYS - 1)
    latest = counters.latest_values(codes, stock, day)
    daily = counters.daily_values(codes, flow, first, day)

    def figures_of(region: Region) -> RegionFigures:
        found = RegionFigures(region)
        for key, figure in FIGURES.items():
            if figure.kind == Kind.STOCK:
                found.values[key] = latest.get((region.code, figure.metric), 0)
            else:
                found.values[key] = daily.get((region.code, figure.metric, day), 0)
            found.urls[key] = figure.url(region.code, day)
        return found

    days = [first + timedelta(days=n) for n in range(SERIES_DAYS)]
    series = {
        key: [daily.get((focus.code, figure.metric, d), 0) for d in days]
        for key, figure in FIGURES.items()
        if figure.kind == Kind.FLOW
    }
    return Dashboard(day, figures_of(focus), [figures_of(r) for r in counties], days, series)
