"""Scoped reads of quarantine sites, rooms, stays and occupancy. Every read starts from
`visible_to(who)` and never counts a big table on a page view."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone

from epicommand.core import counters
from epicommand.core.access import region_q, scope_q, typed_region_q
from epicommand.core.keyset import parse_cursor
from epicommand.core.masking import mask_name
from epicommand.core.models import Region

from ..models import ACTIVE_STAY_STATUSES, Room, Site, Stay

# Sites and stays -------------------------------------------------------------------------------
# Sites, rooms and stays are the site's records, scoped by the site's region; a stay at
# home by the person's. The person's own district also reads their stay (through the
# person), wherever the site is. Lists page by key (id); the room board reads one floor
# (or one building) in two queries, whatever the size of the site.

PAGE_SIZE = 50
MAX_PAGE = 500
SITE_CHOICES = 500  # sites offered in a filter's pick-list
IN_SITE_STATUSES = (Stay.Status.IN_TRANSFER, Stay.Status.IN_SITE)
ROOM_STATUSES = tuple(Room.Status.values)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


# Sites -----------------------------------------------------------------------------------------


def visible_site(who, site_id) -> Site:
    """The site if it lies in `who`'s jurisdiction; 404 otherwise."""
    return get_object_or_404(
        Site.objects.visible_to(who).select_related("region", "unit", "manager"),
        pk=parse_cursor(site_id) or 0,
    )


def site_page(
    who,
    *,
    region: str | None = None,
    kind: str = "",
    active: bool | None = None,
    after=None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Site], int | None]:
    """One page of the sites `who` sees, by id, each with `counts` of its rooms by status
    (one grouped query over the room_site_status index for the page)."""
    rows = Site.objects.visible_to(who).select_related("region", "unit", "manager")
    rows = rows.filter(typed_region_q(region, "region_id"))
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        rows = rows.filter(is_active=active)
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__gt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("id")[: limit + 1])
    page = found[:limit]
    counts = room_counts([s.pk for s in page])
    for site in page:
        site.counts = counts.get(site.pk, RoomCounts())
    return page, found[limit - 1].pk if len(found) > limit else None


def site_choices(who) -> list[Site]:
    return list(
        Site.objects.visible_to(who).order_by("region_id", "name").only("id", "name")[:SITE_CHOICES]
    )


@dataclass
class RoomCounts:
    free: int = 0
    occupied: int = 0
    cleaning: int = 0
    out_of_service: int = 0

    @property
    def total(self) -> int:
        return self.free + self.occupied + self.cleaning + self.out_of_service

    def add(self, status: str, n: int) -> None:
        setattr(self, status, getattr(self, status) + n)


def room_counts(site_ids) -> dict[int, RoomCounts]:
    """{site id: its rooms by status}, in one grouped query."""
    site_ids = list(site_ids)
    found: dict[int, RoomCounts] = {}
    if not site_ids:
        return found
    grouped = (
        Room.objects.filter(site_id__in=site_ids)
        .order_by()
        .values_list("site_id", "status")
        .annotate(n=Count("id"))
    )
    for site_id, status, n in grouped:
        found.setdefault(site_id, RoomCounts()).add(status, n)
    return found


# The room board --------------------------------------------------------------------------------


@dataclass
class BoardFloor:
    building: str
    floor: int
    counts: RoomCounts = field(default_factory=RoomCounts)

    @property
    def key(self) -> str:
        return f"{self.building}-{self.floor}"


def board_floors(site: Site) -> tuple[list[BoardFloor], RoomCounts]:
    """The site's floors (building, floor) with their rooms by status, and the site's
    totals: one grouped query."""
    grouped = (
        Room.objects.filter(site=site)
        .order_by()
        .values_list("building", "floor", "status")
        .annotate(n=Count("id"))
    )
    floors: dict[tuple[str, int], BoardFloor] = {}
    totals = RoomCounts()
    for building, floor, status, n in grouped:
        floors.setdefault((building, floor), BoardFloor(building, floor)).counts.add(status, n)
        totals.add(status, n)
    return [floors[k] for k in sorted(floors)], totals


@dataclass
class BoardOccupant:
    stay_id: int
    masked_name: str
    status: str
    status_label: str
    reason_label: str
    days_remaining: int


@dataclass
class BoardRoom:
    id: int
    building: str
    floor: int
    number: str
    kind: str
    beds: int
    status: str
    occupants: list[BoardOccupant] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.building}{self.number}"

    @property
    def in_transfer(self) -> bool:
        return any(o.status == Stay.Status.IN_TRANSFER for o in self.occupants)

    @property
    def days_remaining(self) -> int | None:
        return min((o.days_remaining for o in self.occupants), default=None)


ROOM_COLUMNS = ("id", "building", "floor", "number", "kind", "beds", "status")


def board_rooms(
    site: Site,
    *,
    building: str | None = None,
    floor: int | None = None,
    room_ids=None,
    today: date | None = None,
) -> list[BoardRoom]:
    """The rooms of a floor (or a building, or the site), in order, with their occupants:
    one query for the rooms, one for the stays in them, never one per room."""
    today = today or timezone.localdate()
    rooms = Room.objects.filter(site=site)
    stays = Stay.objects.filter(site=site, status__in=IN_SITE_STATUSES)
    if building is not None:
        rooms = rooms.filter(building=building)
        stays = stays.filter(room__building=building)
    if floor is not None:
        rooms = rooms.filter(floor=floor)
        stays = stays.filter(room__floor=floor)
    if room_ids is not None:
        rooms = rooms.filter(pk__in=list(room_ids))
        stays = stays.filter(room_id__in=list(room_ids))
    found = {
        row[0]: BoardRoom(*row)
        for row in rooms.order_by("building", "floor", "number").values_list(*ROOM_COLUMNS)
    }
    labels = dict(Stay.Status.choices)
    reasons = dict(Stay.Reason.choices)
    for stay_id, room_id, name, status, reason, site_end in stays.values_list(
        "id", "room_id", "person__name", "status", "reason", "planned_site_end"
    ):
        room = found.get(room_id)
        if room is not None:
            room.occupants.append(
                BoardOccupant(
                    stay_id,
                    mask_name(name),
                    status,
                    labels[status],
                    reasons.get(reason, reason),
                    max((site_end - today).days, 0),
                )
            )
    return list(found.values())


def visible_room(who, site: Site, room_id) -> Room:
    return get_object_or_404(
        Room.objects.visible_to(who).filter(site=site), pk=parse_cursor(room_id) or 0
    )


# Stays -----------------------------------------------------------------------------------------


def stays_visible_to(who):
    """Stays of the sites in `who`'s jurisdiction (and stays at home there), and the stays
    of the persons who live there, wherever their site is."""
    return Stay.objects.filter(scope_q(who, "region_id") | scope_q(who, "person__region_id"))


def visible_stay(who, stay_id) -> Stay:
    return get_object_or_404(
        stays_visible_to(who).select_related("person", "site", "room", "region", "assigned_by"),
        pk=parse_cursor(stay_id) or 0,
    )


# "centralized": in transfer or in the site, as the stays_in_site figure counts them.
STATUS_FILTERS = ("active", "centralized", "all", *Stay.Status.values)


@dataclass(frozen=True)
class StayFilter:
    status: str = "active"  # one of STATUS_FILTERS
    site_id: int | None = None
    reason: str = ""
    region: str | None = None
    id_number: str = ""
    ending_on: date | None = None  # the centralized part ends that day


def stay_page(
    who, filters: StayFilter, *, after=None, limit: int = PAGE_SIZE
) -> tuple[list[Stay], int | None]:
    """One page of the stays `who` sees, newest first, with person, site and room."""
    rows = stays_visible_to(who).select_related("person", "site", "room")
    if filters.status == "active":
        rows = rows.filter(status__in=ACTIVE_STAY_STATUSES)
    elif filters.status == "centralized":
        rows = rows.filter(status__in=IN_SITE_STATUSES)
    elif filters.status in Stay.Status.values:
        rows = rows.filter(status=filters.status)
    if filters.site_id is not None:
        rows = rows.filter(site_id=filters.site_id)
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    rows = rows.filter(typed_region_q(filters.region, "region_id"))
    if filters.id_number:
        rows = rows.filter(person__id_number=filters.id_number.strip().upper())
    if filters.ending_on:
        rows = rows.filter(planned_site_end=filters.ending_on)
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__lt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("-id")[: limit + 1])
    return found[:limit], found[limit - 1].pk if len(found) > limit else None


# Occupancy -------------------------------------------------------------------------------------

OCCUPANCY_METRICS = ["stays_in_site", "stays_home", "rooms_free"]


@dataclass
class CountyOccupancy:
    region: Region
    stays_in_site: int = 0
    stays_home: int = 0
    rooms_free: int = 0


@dataclass
class SiteOccupancy:
    site: Site
    rooms: RoomCounts
    stays_in_site: int = 0


@dataclass
class Occupancy:
    day: date
    focus: CountyOccupancy  # the user's city or county
    counties: list[CountyOccupancy]
    sites: list[SiteOccupancy]


def occupancy(who, *, today: date | None = None) -> Occupancy | None:
    """Citywide occupancy: per county from the counters (one query), per site from
    grouped counts of rooms and stays (one query each over their site indexes). None for
    a user whose jurisdiction is narrower than a county (counters stop there)."""
    today = today or timezone.localdate()
    levels = (Region.Level.CITY, Region.Level.COUNTY)
    regions = list(Region.objects.visible_to(who).filter(level__in=levels).order_by("code"))
    if not regions:
        return None
    focus_region = regions[0]
    counties = [r for r in regions if r.level == Region.Level.COUNTY]
    values = counters.latest_values([r.code for r in regions], OCCUPANCY_METRICS, today)

    def of(region: Region) -> CountyOccupancy:
        row = CountyOccupancy(region)
        for metric in OCCUPANCY_METRICS:
            setattr(row, metric, values.get((region.code, metric), 0))
        return row

    sites = list(
        Site.objects.visible_to(who)
        .filter(is_active=True)
        .select_related("region")
        .order_by("region_id", "name")
    )
    counts = room_counts([s.pk for s in sites])
    in_site = dict(
        Stay.objects.filter(site_id__in=[s.pk for s in sites], status__in=IN_SITE_STATUSES)
        .order_by()
        .values_list("site_id")
        .annotate(n=Count("id"))
    )
    return Occupancy(
        today,
        of(focus_region),
        [of(c) for c in counties],
        [SiteOccupancy(s, counts.get(s.pk, RoomCounts()), in_site.get(s.pk, 0)) for s in sites],
    )


def county_of(region_code: str) -> str:
    return region_code[:6]


def sites_by_county(sites) -> dict[str, list]:
    found = defaultdict(list)
    for site in sites:
        found[county_of(site.region_id)].append(site)
    return found


def occupied_rooms_in(region_code: str) -> int:
    """Rooms occupied today in the active sites inside a region: the room-days the
    materials forecast (supplies.forecast) turns into protective equipment."""
    return Room.objects.filter(
        region_q(region_code, "site__region_id"),
        site__is_active=True,
        status=Room.Status.OCCUPIED,
    ).count()
