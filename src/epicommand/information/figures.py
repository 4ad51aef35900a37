"""The daily bulletin's figures, counted from the registry (tracing's cases, quarantine's
stays, control's risk areas, each read through its own queries module), and the sums that
must hold before anyone may sign: yesterday's cumulative + today's new - reclassified =
today's cumulative, for the city and for each county."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from epicommand.control.queries import risk
from epicommand.core import policy
from epicommand.core.models import Region
from epicommand.quarantine.queries.observation import under_observation_by_region
from epicommand.tracing.models import CONFIRMED, Classification, Outcome
from epicommand.tracing.queries.bulletin import CaseHistory, case_histories

CONFIRMED_CODES = frozenset(str(c) for c in CONFIRMED)
ASYMPTOMATIC = str(Classification.ASYMPTOMATIC)
SUSPECTED = str(Classification.SUSPECTED)
CLOSED = (str(Outcome.RECOVERED), str(Outcome.DIED), str(Outcome.RULED_OUT))
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


@dataclass
class _Case:
    """One case's moments, read from its history."""

    region: str
    first_confirmed: datetime | None
    first_asymptomatic: datetime | None
    reclassified_at: datetime | None
    suspected_at: datetime | None
    outcome: str
    outcome_at: datetime | None
    last_class: str

    @classmethod
    def of(cls, history: CaseHistory) -> "_Case":
        confirmed = asym = reclassified = suspected = None
        last = ""
        for at, before, after in history.changes:
            last = after
            if after in CONFIRMED_CODES and confirmed is None:
                confirmed = at
                if before == ASYMPTOMATIC:
                    reclassified = at
            elif after == ASYMPTOMATIC and asym is None and confirmed is None:
                asym = at
            elif after == SUSPECTED and before == "" and suspected is None:
                suspected = at
        return cls(
            history.region_id,
            confirmed,
            asym,
            reclassified,
            suspected,
            history.outcome,
            history.outcome_at,
            last,
        )

    def closed_before(self, moment: datetime, outcomes=CLOSED) -> bool:
        return self.outcome in outcomes and self.outcome_at is not None and self.outcome_at < moment

    def cumulative(self, moment: datetime) -> Counter:
        """This case's part of the cumulative figures at `moment`."""
        out = Counter()
        if self.closed_before(moment, (str(Outcome.RULED_OUT),)):
            return out
        if self.first_confirmed is not None and self.first_confirmed < moment:
            out["cum_confirmed"] += 1
        elif self.first_asymptomatic is not None and self.first_asymptomatic < moment:
            out["cum_asymptomatic"] += 1
        if self.closed_before(moment, (str(Outcome.DIED),)):
            out["cum_deaths"] += 1
        if self.closed_before(moment, (str(Outcome.RECOVERED),)) and out["cum_confirmed"]:
            out["cum_recovered"] += 1
        return out

    def of_the_day(self, start: datetime, end: datetime) -> Counter:
        out = self.cumulative(end)
        if self.closed_before(end, (str(Outcome.RULED_OUT),)):
            return out

        def today(moment):
            return moment is not None and start <= moment < end

        out["new_confirmed"] += today(self.first_confirmed)
        out["reclassified"] += today(self.reclassified_at)
        out["new_asymptomatic"] += today(self.first_asymptomatic)
        out["new_suspected"] += today(self.suspected_at)
        if today(self.outcome_at):
            out["new_deaths"] += self.outcome == Outcome.DIED
            out["new_recovered"] += self.outcome == Outcome.RECOVERED and bool(self.first_confirmed)
        if not self.closed_before(end):
            if self.last_class in CONFIRMED_CODES:
                out["current_confirmed"] += 1
                out[f"severity_{self.last_class}"] += 1
            elif self.last_class == ASYMPTOMATIC:
                out["current_asymptomatic"] += 1
            elif self.last_class == SUSPECTED:
                out["current_suspected"] += 1
        return out


def county_of(code: str) -> str:
    return code[:6]


def count_day(day: date, previous: dict | None = None) -> dict:
    """The figures of `day` as the registry holds them now, with every sum checked.
    `previous` is the figures of the bulletin published for the day before (its latest
    version): yesterday's cumulative is that bulletin's, or the registry's at the start
    of the day when none was published."""
    start, end = window_of(day)
    cases = [_Case.of(h) for h in case_histories(end)]
    by_region: dict[str, Counter] = defaultdict(Counter)
    before_by_county: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        by_region[case.region] += case.of_the_day(start, end)
        before_by_county[county_of(case.region)] += case.cumulative(start)
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
            "at": change.at.isoformat(),
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
