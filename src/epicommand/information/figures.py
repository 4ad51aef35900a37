"""The daily bulletin's figures, counted from the registry (tracing's cases, quarantine's
stays, control's risk areas, each read through its own queries module), and the sums that
must hold before anyone may sign: yesterday's cumulative + today's new - reclassified =
today's cumulative, for the city and for each county."""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from epicommand.control.queries import risk
from epicommand.core import policy
from epicommand.core.models import Region
from epicommand.quarantine.queries.observation import under_observation_by_region
from epicommand.tracing.queries.bulletin import counts_by_region

SEVERITIES = ("mild", "moderate", "severe", "critical")

# Every figure of an area (the city, a county); the village table shows the "new" ones.
FIGURES = (
    "new_confirmed",
    "reclassified",
    "new_asymptomatic",
    "new_suspected",
    "new_deaths",
    "new_recovered",
    "current_confirmed",
    "current_asymptomatic",
    "current_suspected",
    "cum_confirmed",
    "cum_asymptomatic",
    "cum_deaths",
    "cum_recovered",
    "under_observation",
)
VILLAGE_FIGURES = ("new_confirmed", "reclassified", "new_asymptomatic")
# The sums checked before sign-off: (cumulative figure, added, subtracted).
EQUATIONS = (
    ("cum_confirmed", ("new_confirmed",), ()),
    ("cum_asymptomatic", ("new_asymptomatic",), ("reclassified",)),
    ("cum_deaths", ("new_deaths",), ()),
)


def window_of(day: date) -> tuple[datetime, datetime]:
    """The bulletin's "0-24 h" of `day`, Beijing time, as the policy cuts it."""
    hours = policy.active().information.day_ends_hour
    midnight = datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())
    end = midnight + timedelta(hours=hours)
    return end - timedelta(days=1), end


def county_of(code: str) -> str:
    return code[:6]


def count_day(day: date, previous: dict | None = None) -> dict:
    """The figures of `day` as the registry holds them now, with every sum checked.
    `previous` is the figures of the bulletin published for the day before (its latest
    version): yesterday's cumulative is that bulletin's, or the registry's at the start
    of the day when none was published."""
    start, end = window_of(day)
    by_region: dict[str, Counter] = defaultdict(Counter)
    before_by_county: dict[str, Counter] = defaultdict(Counter)
    for region, counts in counts_by_region(start, end).items():
        by_region[region].update({k: v for k, v in counts.items() if not k.startswith("prev_")})
        before_by_county[county_of(region)].update(
            {k[5:]: v for k, v in counts.items() if k.startswith("prev_")}
        )
    for code, n in under_observation_by_region(end).items():
        by_region[code]["under_observation"] += n

    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY).order_by("code").values("code", "name")
    )
    county_totals: dict[str, Counter] = defaultdict(Counter)
    for code, counts in by_region.items():
        county_totals[county_of(code)] += counts
    city_total = sum(county_totals.values(), Counter())
    city_before = sum(before_by_county.values(), Counter())

    def row(code, name, counts: Counter) -> dict:
        return {"code": code, "name": name, **{f: counts.get(f, 0) for f in FIGURES}}

    figures = {
        "day": day.isoformat(),
        "window": [start.isoformat(), end.isoformat()],
        "city": row(city.code if city else "", city.name if city else "", city_total),
        "counties": [row(c["code"], c["name"], county_totals[c["code"]]) for c in counties],
        "villages": _villages(by_region),
        "severity": {s: city_total.get(f"severity_{s}", 0) for s in SEVERITIES},
        "risk_changes": _risk_changes(start, end),
    }
    figures["previous"] = _previous(figures, previous, city_before, before_by_county)
    figures["checks"] = _checks(figures)
    return figures


def _villages(by_region: dict[str, Counter]) -> list[dict]:
    shown = {c: n for c, n in by_region.items() if any(n.get(f) for f in VILLAGE_FIGURES)}
    names = dict(Region.objects.filter(code__in=shown).values_list("code", "name"))
    counties = dict(
        Region.objects.filter(code__in={county_of(c) for c in shown}).values_list("code", "name")
    )
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "county": counties.get(county_of(code), county_of(code)),
            **{f: counts.get(f, 0) for f in VILLAGE_FIGURES},
        }
        for code, counts in shown.items()
    ]
    rows.sort(key=lambda r: (-r["new_confirmed"] - r["new_asymptomatic"], r["code"]))
    return rows


def _risk_changes(start: datetime, end: datetime) -> list[dict]:
    changes = risk.public_changes(now=end, days=1)  # since end - 1 day, the day's start
    return [
        {
            "at": timezone.localtime(change.at).isoformat(),  # Beijing time, as published
            "level": change.area.level,
            "name": change.area.name,
            "in_force": change.came_into_force,
            "regions": [label for _code, label in change.area.members],
        }
        for change in sorted(changes, key=lambda c: (c.at, c.area.pk))
        if start <= change.at < end
    ]


def _previous(figures, previous, city_before, before_by_county) -> dict:
    """Yesterday's cumulative per area, and where it comes from."""
    cumulative = [eq[0] for eq in EQUATIONS]
    if previous:
        areas = {previous["city"]["code"]: previous["city"]}
        areas.update({c["code"]: c for c in previous.get("counties", [])})
        source = "bulletin"
    else:
        areas = {figures["city"]["code"]: city_before}
        areas.update(
            {c["code"]: before_by_county.get(c["code"], Counter()) for c in figures["counties"]}
        )
        source = "registry"
    return {
        "source": source,
        "areas": {code: {f: int(v.get(f, 0)) for f in cumulative} for code, v in areas.items()},
    }


def _checks(figures: dict) -> list[dict]:
    """Every sum of every area, with `ok` saying whether it holds."""
    rows = []
    before = figures["previous"]["areas"]
    for area in [figures["city"], *figures["counties"]]:
        previous = before.get(area["code"], {})
        for cumulative, added, subtracted in EQUATIONS:
            expected = (
                previous.get(cumulative, 0)
                + sum(area[f] for f in added)
                - sum(area[f] for f in subtracted)
            )
            rows.append(
                {
                    "code": area["code"],
                    "name": area["name"],
                    "figure": cumulative,
                    "previous": previous.get(cumulative, 0),
                    "added": sum(area[f] for f in added),
                    "subtracted": sum(area[f] for f in subtracted),
                    "expected": expected,
                    "found": area[cumulative],
                    "ok": expected == area[cumulative],
                }
            )
    return rows
