"""Scoped reads for twice-daily monitoring, the tests due and the alerts: every one starts
from `visible_to(who)` (sites, stays, tests and alerts are the site's records, scoped by
the site's region), is bounded by a site or a keyset page, and never counts a big table.

Sessions: the morning check is taken before 12:00 Beijing time, the afternoon one after."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Alert, HealthCheck, Room, Site, Stay, StayTest

PAGE_SIZE = 50
# A site's missing checks listed at once; the rest is "and more" (a 4,156-room camp
# before the morning round has thousands, and the page must stay small).
MISSING_SHOWN = 200
# Persons in one floor entry (API); the page shows the floor a part of the corridor at a time.
FLOOR_LIMIT = 400
SHEET_PAGE = 40
NOON = time(12, 0)
# Stays whose person is checked twice a day, at the site or at home.
CHECKED_STATUSES = (Stay.Status.IN_SITE, Stay.Status.HOME_MONITORING)
ALERT_DAYS_DEFAULT = 3
ALERT_DAYS_MAX = 30


@dataclass(frozen=True)
class Session:
    """One of the day's two check rounds, as a span of aware datetimes."""

    day: date
    afternoon: bool
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return str(_("afternoon") if self.afternoon else _("morning"))

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}-{'pm' if self.afternoon else 'am'}"


def session_at(at: datetime | None = None) -> Session:
    local = timezone.localtime(at or timezone.now())
    day = local.date()
    midnight = timezone.make_aware(datetime.combine(day, time.min))
    noon = timezone.make_aware(datetime.combine(day, NOON))
    if local < noon:
        return Session(day, False, midnight, noon)
    next_midnight = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return Session(day, True, noon, next_midnight)


# Sites and stays ---------------------------------------------------------------------------


def sites_in_scope(who, *, after: int | None = None, limit: int = PAGE_SIZE):
    """Sites in use in the caller's jurisdiction, by id, one keyset page."""
    qs = Site.objects.visible_to(who).filter(is_active=True).select_related("region")
    if after:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


def visible_site(who, site_id: int) -> Site:
    return get_object_or_404(
        Site.objects.visible_to(who).select_related("region", "unit"), pk=site_id
    )


def visible_stay(who, stay_id: int) -> Stay:
    stays = Stay.objects.visible_to(who).select_related("person", "site", "room", "site__unit")
    return get_object_or_404(stays, pk=stay_id)


def visible_test(who, test_id: int) -> StayTest:
    tests = StayTest.objects.visible_to(who).select_related("stay", "stay__person", "stay__site")
    return get_object_or_404(tests, pk=test_id)


# Floors and checks -------------------------------------------------------------------------


def floors_of(site: Site) -> list[tuple[str, int]]:
    """(building, floor) of the site's rooms, in order: the floor picker."""
    # order_by() by these two only: the model's ordering would add the room number to
    # the DISTINCT and give each floor once per room.
    rooms = Room.objects.filter(site=site).order_by("building", "floor")
    return list(rooms.values_list("building", "floor").distinct())


@dataclass
class SheetRow:
    """A person on the floor entry sheet: their room, their stay and this session's last
    check (None until taken)."""

    room: Room
    stay: Stay
    check: HealthCheck | None


def floor_sheet(
    site: Site,
    building: str,
    floor: int,
    session: Session,
    *,
    after: int | None = None,
    limit: int = SHEET_PAGE,
) -> tuple[list[SheetRow], int | None]:
    """The people in the site on one floor, by room, with this session's check: one page
    of `limit` persons (the next part of the corridor) and the cursor of the next page
    (the last stay's id), in four queries whatever the floor's size."""
    stays = Stay.objects.filter(
        site=site,
        status=Stay.Status.IN_SITE,
        room__building=building,
        room__floor=floor,
    )
    if after:
        last = stays.filter(pk=after).values_list("room__number", flat=True).first()
        if last is not None:
            stays = stays.filter(Q(room__number__gt=last) | Q(room__number=last, pk__gt=after))
    rows = list(stays.select_related("person", "room").order_by("room__number", "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    checks = last_checks([s.pk for s in rows], session)
    sheet = [SheetRow(s.room, s, checks.get(s.pk)) for s in rows]
    return sheet, (rows[-1].pk if more else None)


def last_checks(stay_ids, session: Session) -> dict[int, HealthCheck]:
    """The latest check of each stay within the session."""
    found: dict[int, HealthCheck] = {}
    rows = HealthCheck.objects.filter(
        stay_id__in=list(stay_ids), checked_at__gte=session.start, checked_at__lt=session.end
    ).order_by("stay_id", "checked_at", "id")
    for check in rows:
        found[check.stay_id] = check
    return found


def missing_checks(site: Site, session: Session, *, limit: int = MISSING_SHOWN):
    """Persons in the site not yet checked this session, by room: a list of at most
    `limit` stays and whether more are missing."""
    checked = HealthCheck.objects.filter(
        stay=OuterRef("pk"), checked_at__gte=session.start, checked_at__lt=session.end
    )
    qs = (
        Stay.objects.filter(site=site, status=Stay.Status.IN_SITE, started_at__lt=session.end)
        .filter(~Exists(checked))
        .select_related("person", "room")
        .order_by("room__building", "room__floor", "room__number", "id")
    )
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


# Tests due ---------------------------------------------------------------------------------


def parse_test_cursor(value) -> tuple[date, int] | None:
    """`after` for the tests due: "YYYY-MM-DD:id"; anything malformed starts from the top."""
    day, _, pk = str(value or "").partition(":")
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return None
    if not (pk.isdigit() and len(pk) <= 18):
        return None
    return parsed, int(pk)


def tests_due(
    site: Site,
    day: date,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
):
    """The site's sampling list for `day`: every test due that day (whatever its state,
    so the list shows progress) and the overdue ones, due before and still not sampled,
    which come first. Keyset pages in (due_on, id) order; the (region, due_on, result)
    index serves it."""
    pending = StayTest.Result.PENDING
    qs = StayTest.objects.filter(
        region_id=site.region_id,
        stay__site=site,
        stay__status__in=CHECKED_STATUSES,
        due_on__lte=day,
    ).filter(Q(due_on=day) | Q(result=pending))
    if cursor := parse_test_cursor(after):
        cursor_day, cursor_id = cursor
        qs = qs.filter(Q(due_on__gt=cursor_day) | Q(due_on=cursor_day, pk__gt=cursor_id))
    qs = qs.select_related("stay", "stay__person", "stay__room").order_by("due_on", "id")
    rows = list(qs[: limit + 1])
    for row in rows:
        row.overdue = row.due_on < day and row.result == pending
    more = len(rows) > limit
    cursor = f"{rows[limit - 1].due_on.isoformat()}:{rows[limit - 1].pk}" if more else None
    return rows[:limit], cursor


# Alerts ------------------------------------------------------------------------------------


def alert_page(
    who,
    *,
    days: int = ALERT_DAYS_DEFAULT,
    kind: str = "",
    site_id: int | None = None,
    stay_id: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
):
    """Alerts of the last `days` days in the caller's jurisdiction, newest first."""
    since = (now or timezone.now()) - timedelta(days=days)
    qs = Alert.objects.visible_to(who).filter(created_at__gte=since)
    if kind:
        qs = qs.filter(kind=kind)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if stay_id:
        qs = qs.filter(stay_id=stay_id)
    if after:
        qs = qs.filter(pk__lt=after)
    qs = qs.select_related("stay", "stay__person", "stay__room", "site").order_by("-id")
    rows = list(qs[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)
