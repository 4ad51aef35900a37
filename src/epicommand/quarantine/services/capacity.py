"""Capacity planning: will the quarantine rooms last the coming days?

For each of the next N days (N = twice the policy's `capacity_warning_days`, at least 7),
starting today, a running balance of rooms:

    balance before day 1 = rooms free now - persons waiting now
    balance after day d  = balance after day d-1 + rooms freed that day - expected new contacts

- rooms free now: rooms with status free, at sites in use;
- rooms freed on day d: rooms of stays still in transfer or in the site whose planned
  end of the centralized part (`planned_site_end`) is d (a room a family shares counts
  once; releases already overdue are not counted: nobody knows when they leave);
- persons waiting: contacts identified and not yet controlled, i.e. persons with an open
  CLOSE_CONTACT fact (or SECONDARY_CONTACT, when the edition in force quarantines
  secondary contacts in a site) and no active stay;
- expected new contacts a day: the mean of the new CLOSE_CONTACT facts recorded on each of
  the last three whole days (Asia/Shanghai).

A warning is raised when the balance goes below zero within `capacity_warning_days` days.

Where persons go (the allocation rule): contacts are quarantined in their own county. A
per-site forecast takes its county's waiting persons and expected contacts in proportion
to its share of the county's rooms (the rooms of its sites in use): a site of 300 rooms
in a county of 1,000 takes 30 %. A county without a site in use sends nobody to any site's
forecast: its backlog shows in the citywide (or county) forecast, which counts every
waiting person in the caller's jurisdiction."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from epicommand.control.models import FactKind, HealthFact
from epicommand.core import policy

from ..models import ACTIVE_STAY_STATUSES, Room, Site, Stay

IN_SITE_STATUSES = (Stay.Status.IN_TRANSFER, Stay.Status.IN_SITE)
EXPECTATION_DAYS = 3
MAX_DAYS = 30


def horizon(edition=None) -> int:
    edition = edition or policy.active()
    return max(edition.capacity_warning_days * 2, 7)


@dataclass(frozen=True)
class ForecastDay:
    day: date
    released: float  # rooms freed by planned releases that day
    expected: float  # expected new contacts that day
    balance: float  # rooms left (negative: short) at the end of the day


@dataclass
class Forecast:
    label: str
    today: date
    free_now: float
    waiting: float
    expected_per_day: float
    warning_days: int
    days: list[ForecastDay] = field(default_factory=list)
    site: Site | None = None

    @property
    def runs_out_on(self) -> date | None:
        """The first day the balance is below zero, within the forecast."""
        return next((d.day for d in self.days if d.balance < 0), None)

    @property
    def warning(self) -> bool:
        out = self.runs_out_on
        return out is not None and (out - self.today).days < self.warning_days

    @property
    def lowest(self) -> float:
        return min((d.balance for d in self.days), default=self.free_now - self.waiting)


def _run(label, today, free, waiting, expected, releases: dict[date, float], days, warning_days):
    forecast = Forecast(label, today, free, waiting, expected, warning_days)
    balance = free - waiting
    for offset in range(days):
        day = today + timedelta(days=offset)
        released = releases.get(day, 0)
        balance += released - expected
        forecast.days.append(ForecastDay(day, released, expected, balance))
    return forecast


@dataclass
class _Inputs:
    sites: list[Site]
    free: dict[int, int]  # site id -> free rooms
    rooms: dict[int, int]  # site id -> all rooms
    releases: dict[int, dict[date, int]]  # site id -> day -> rooms freed
    waiting: dict[str, int]  # county -> persons waiting
    new_contacts: dict[str, int]  # county -> new close contacts over EXPECTATION_DAYS


def _inputs(who, today: date, days: int, site: Site | None = None) -> _Inputs:
    edition = policy.active()
    sites = Site.objects.visible_to(who).filter(is_active=True)
    if site is not None:
        # The site's county: its share of the county's waiting needs the other sites.
        # (the site itself even when out of use, so its page has a forecast).
        sites = Site.objects.in_region(site.region_id[:6]).filter(Q(is_active=True) | Q(pk=site.pk))
    sites = list(sites.order_by("region_id", "name"))
    ids = [s.pk for s in sites]
    free, rooms = defaultdict(int), defaultdict(int)
    grouped = (
        Room.objects.filter(site_id__in=ids)
        .order_by()
        .values_list("site_id", "status")
        .annotate(n=Count("id"))
    )
    for site_id, status, n in grouped:
        rooms[site_id] += n
        if status == Room.Status.FREE:
            free[site_id] += n
    releases: dict[int, dict[date, int]] = defaultdict(dict)
    planned = (
        Stay.objects.filter(
            site_id__in=ids,
            status__in=IN_SITE_STATUSES,
            planned_site_end__gte=today,
            planned_site_end__lt=today + timedelta(days=days),
        )
        .order_by()
        .values_list("site_id", "planned_site_end")
        .annotate(n=Count("room_id", distinct=True))
    )
    for site_id, day, n in planned:
        releases[site_id][day] = n
    kinds = [FactKind.CLOSE_CONTACT]
    if not edition.secondary_contact_at_home:
        kinds.append(FactKind.SECONDARY_CONTACT)
    facts = HealthFact.objects.visible_to(who)
    if site is not None:
        facts = HealthFact.objects.in_region(site.region_id[:6])
    controlled = Stay.objects.filter(
        person_id=OuterRef("person_id"), status__in=ACTIVE_STAY_STATUSES
    )
    waiting = dict(
        facts.filter(kind__in=kinds, ended_at__isnull=True)
        .filter(~Exists(controlled))
        .order_by()
        .annotate(county=Substr("region_id", 1, 6))
        .values_list("county")
        .annotate(n=Count("person_id", distinct=True))
    )
    start = _local_midnight(today - timedelta(days=EXPECTATION_DAYS))
    new_contacts = dict(
        facts.filter(
            kind=FactKind.CLOSE_CONTACT,
            created_at__gte=start,
            created_at__lt=_local_midnight(today),
        )
        .order_by()
        .annotate(county=Substr("region_id", 1, 6))
        .values_list("county")
        .annotate(n=Count("person_id", distinct=True))
    )
    return _Inputs(sites, free, rooms, releases, waiting, new_contacts)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _days(days: int | None) -> int:
    days = days or horizon()
    return max(1, min(days, MAX_DAYS))


def forecast(
    who, *, today: date | None = None, days: int | None = None, label: str = ""
) -> Forecast:
    """The forecast over every site in use in `who`'s jurisdiction, against every person
    waiting there (a county without sites included)."""
    return overview(who, today=today, days=days, label=label)[0]


def site_forecasts(
    who, *, today: date | None = None, days: int | None = None, site: Site | None = None
) -> list[Forecast]:
    """One forecast per site in use in `who`'s jurisdiction (or for `site` alone), each
    with its share of its county's waiting and expected contacts (see the module's
    allocation rule)."""
    if site is None:
        return overview(who, today=today, days=days)[1]
    today = today or timezone.localdate()
    days = _days(days)
    found = _inputs(who, today, days, site)
    return [f for f in _per_site(found, today, days) if f.site.pk == site.pk]


def overview(
    who, *, today: date | None = None, days: int | None = None, label: str = ""
) -> tuple[Forecast, list[Forecast]]:
    """The jurisdiction's forecast and each site's, from one reading of the tables."""
    today = today or timezone.localdate()
    days = _days(days)
    found = _inputs(who, today, days)
    releases: dict[date, float] = defaultdict(float)
    for per_day in found.releases.values():
        for day, n in per_day.items():
            releases[day] += n
    total = _run(
        label,
        today,
        sum(found.free.values()),
        sum(found.waiting.values()),
        sum(found.new_contacts.values()) / EXPECTATION_DAYS,
        releases,
        days,
        policy.active().capacity_warning_days,
    )
    return total, _per_site(found, today, days)


def _per_site(found: _Inputs, today: date, days: int) -> list[Forecast]:
    county_rooms: dict[str, int] = defaultdict(int)
    for s in found.sites:
        county_rooms[s.region_id[:6]] += found.rooms[s.pk]
    forecasts = []
    for s in found.sites:
        county = s.region_id[:6]
        share = found.rooms[s.pk] / county_rooms[county] if county_rooms[county] else 0
        result = _run(
            s.name,
            today,
            found.free[s.pk],
            found.waiting.get(county, 0) * share,
            found.new_contacts.get(county, 0) / EXPECTATION_DAYS * share,
            found.releases.get(s.pk, {}),
            days,
            policy.active().capacity_warning_days,
        )
        result.site = s
        forecasts.append(result)
    return forecasts
