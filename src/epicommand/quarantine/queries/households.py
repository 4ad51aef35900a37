"""Scoped reads of the households kept at home, their supply requests and the volunteer
teams: every one starts from `visible_to(who)`. A page of households is decorated in a
fixed number of queries (members, their home-monitoring stays, open requests), never one
per row. And what an identified resident may see of their own quarantine."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from epicommand.core.models import AuditEvent, Region, Role, User
from epicommand.people.models import Person

from ..models import (
    ACTIVE_STAY_STATUSES,
    OPEN_REQUEST_STATUSES,
    HouseholdControl,
    Stay,
    StayTest,
    SupplyRequest,
    VolunteerTeam,
)

PAGE_SIZE = 50
# Cards per screen on the community worker's phone: each carries its quick actions.
CARDS_PER_SCREEN = 25
S = SupplyRequest.Status
# What the supply list's status filter offers beyond the statuses themselves.
OPEN = "open"
ALL = "all"
RESIDENT_REQUESTS_SHOWN = 20
# A required test not yet taken (an invalid result is sampled again).
STILL_TO_TAKE = (StayTest.Result.PENDING, StayTest.Result.INVALID)


def days_left(until: date | None, today: date) -> int | None:
    """Days remaining until `until` (the last day at home), never below zero."""
    return None if until is None else max(0, (until - today).days)


# Households at home ---------------------------------------------------------------------------


@dataclass
class HouseholdRow:
    control: HouseholdControl
    members: list = field(default_factory=list)
    open_requests: list = field(default_factory=list)
    until: date | None = None  # the last day at home, as far as it is known
    until_from_stays: bool = False  # known from the members' home-monitoring stays
    days_remaining: int | None = None
    period_over: bool = False  # the "until" day has passed and nobody ended the control

    @property
    def delayed_requests(self) -> int:
        return sum(1 for r in self.open_requests if r.delayed)


def visible_control(who, control_id: int) -> HouseholdControl:
    """The household kept at home if `who` may see it, else 404 (whether or not it exists)."""
    controls = HouseholdControl.objects.visible_to(who).select_related(
        "household", "region", "community_worker", "team__region"
    )
    return get_object_or_404(controls, pk=control_id)


def household_cursor(control: HouseholdControl) -> str:
    return f"{control.region_id}-{control.pk}"


def parse_household_cursor(value) -> tuple[str, int] | None:
    """The `after` cursor is opaque to callers; anything malformed starts from the top."""
    region, _, pk = str(value or "").partition("-")
    if not (region.isdigit() and len(region) <= 12 and pk.isdigit() and len(pk) <= 18):
        return None
    return region, int(pk)


def household_page(
    who,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    kind: str = "",
    region: str = "",
    worker: User | None = None,
    delayed_only: bool = False,
    ended: bool = False,
    now: datetime | None = None,
) -> tuple[list[HouseholdRow], str | None]:
    """One page of the households kept at home (`ended`: those released) that `who` sees,
    village by village, decorated; the cursor of the next page or None.

    Pages run in (region, id) order, the order of the householdcontrol_open index: a
    jurisdiction's households at home are one range of it, so a page costs the same
    whether a lockdown put ten households at home or two hundred thousand."""
    now = now or timezone.now()
    controls = HouseholdControl.objects.all()
    if cursor := parse_household_cursor(after):
        # A row-value comparison, first, so that the index serves it as one range.
        table = HouseholdControl._meta.db_table
        controls = controls.extra(
            where=[f'("{table}"."region_id", "{table}"."id") > (%s, %s)'], params=list(cursor)
        )
    controls = controls.visible_to(who).filter(ended_at__isnull=not ended)
    if region:
        controls = controls.in_region(region)
    if kind:
        controls = controls.filter(kind=kind)
    if worker is not None:
        controls = controls.filter(community_worker=worker)
    if delayed_only:
        late = SupplyRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, due_at__lt=now)
        controls = controls.filter(pk__in=late.values("control_id"))
    rows = list(
        controls.select_related("household", "region", "community_worker", "team__region").order_by(
            "region_id", "pk"
        )[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return decorate(who, rows, now=now), household_cursor(rows[-1]) if more else None


def decorate(who, controls: list[HouseholdControl], *, now: datetime) -> list[HouseholdRow]:
    """Members (masked in the templates), days remaining and open requests of each
    household, in three queries whatever the page's length."""
    today = timezone.localdate(now)
    rows = {c.household_id: HouseholdRow(control=c) for c in controls}
    members = (
        Person.objects.visible_to(who)
        .filter(household_id__in=list(rows))
        .only("pk", "name", "id_number", "passport_number", "nationality", "phone", "household_id")
        .order_by("household_id", "pk")
    )
    household_of = {}
    for person in members:
        rows[person.household_id].members.append(person)
        household_of[person.pk] = person.household_id
    # A member's home monitoring after a stay tells how long the household stays at home
    # when the control itself names no day. Read through the person, as their district may.
    stay_ends: dict[int, date] = {}
    if household_of:
        stays = Stay.objects.filter(
            person_id__in=list(household_of), status=Stay.Status.HOME_MONITORING
        ).values_list("person_id", "planned_home_end")
        for person_id, planned_home_end in stays:
            household = household_of[person_id]
            stay_ends[household] = max(stay_ends.get(household, planned_home_end), planned_home_end)
    by_control = {row.control.pk: row for row in rows.values()}
    open_requests = SupplyRequest.objects.filter(
        control_id__in=list(by_control), status__in=OPEN_REQUEST_STATUSES
    ).select_related("team")
    for supply in open_requests.order_by("due_at", "pk"):
        supply.delayed = now > supply.due_at
        supply.control = by_control[supply.control_id].control  # its household, loaded
        by_control[supply.control_id].open_requests.append(supply)
    for row in rows.values():
        row.until = row.control.ends_on
        if row.until is None and row.control.household_id in stay_ends:
            row.until, row.until_from_stays = stay_ends[row.control.household_id], True
        row.days_remaining = days_left(row.until, today)
        row.period_over = (
            row.control.ended_at is None and row.until is not None and row.until < today
        )
    return [rows[c.household_id] for c in controls]


def control_trail(control: HouseholdControl):
    """The audit events of this household's control, newest first: who put it at home,
    why, who was assigned, who ended it."""
    return AuditEvent.objects.filter(
        object_type=HouseholdControl._meta.label_lower, object_id=str(control.pk)
    ).order_by("-id")[:50]


def control_requests(control: HouseholdControl, *, now: datetime, limit: int = 100):
    """Every supply request of the household, newest first, flagged when delayed."""
    rows = list(control.requests.select_related("team").order_by("-requested_at", "-pk")[:limit])
    for supply in rows:
        supply.delayed = supply.status in OPEN_REQUEST_STATUSES and now > supply.due_at
        supply.control = control
    return rows


def community_workers_for(region_code: str):
    """Community workers whose jurisdiction covers `region_code`: those scoped to it or to
    one of its ancestors."""
    codes = _ancestor_codes(region_code)
    return (
        User.objects.filter(role=Role.COMMUNITY_WORKER, is_active=True, scope_region_id__in=codes)
        .select_related("scope_region")
        .order_by("username")
    )


def teams_for(who, region_code: str):
    """The volunteer teams of `who`'s jurisdiction whose region contains `region_code`."""
    return (
        VolunteerTeam.objects.visible_to(who)
        .filter(region_id__in=_ancestor_codes(region_code))
        .select_related("region")
        .order_by("name", "pk")
    )


def _ancestor_codes(region_code: str) -> list[str]:
    """The region and every region above it, by the nesting of codes (6 county digits, 3
    township, 3 village) and the city's code: no query."""
    codes = [region_code[:n] for n in (6, 9, 12) if len(region_code) >= n]
    return [region_code[:4] + "00", *codes]


# Supply requests ------------------------------------------------------------------------------


def visible_request(who, request_id: int) -> SupplyRequest:
    supplies = SupplyRequest.objects.visible_to(who).select_related(
        "control__household", "team__region"
    )
    return get_object_or_404(supplies, pk=request_id)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def supply_cursor(supply: SupplyRequest) -> str:
    return f"{(supply.due_at - EPOCH) // MICROSECOND}-{supply.pk}"


def parse_supply_cursor(value) -> tuple[datetime, int] | None:
    """The `after` cursor is opaque to callers; anything malformed starts from the top."""
    due, _, pk = str(value or "").partition("-")
    if not (due.isdigit() and len(due) <= 17 and pk.isdigit() and len(pk) <= 18):
        return None
    try:
        return EPOCH + int(due) * MICROSECOND, int(pk)
    except OverflowError:
        return None


def supply_page(
    who,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    status: str = OPEN,
    overdue: bool = False,
    kind: str = "",
    region: str = "",
    team_id: int | None = None,
    now: datetime | None = None,
) -> tuple[list[SupplyRequest], str | None]:
    """Supply requests `who` sees, the soonest due first (open ones by default), each
    flagged `delayed` when open past its due time; the cursor of the next page or None."""
    now = now or timezone.now()
    supplies = SupplyRequest.objects.visible_to(who)
    if region:
        supplies = supplies.in_region(region)
    if status == OPEN or overdue:
        supplies = supplies.filter(status__in=OPEN_REQUEST_STATUSES)
    if status and status not in (OPEN, ALL):
        supplies = supplies.filter(status=status)
    if overdue:
        supplies = supplies.filter(due_at__lt=now)
    if kind:
        supplies = supplies.filter(kind=kind)
    if team_id:
        supplies = supplies.filter(team_id=team_id)
    if cursor := parse_supply_cursor(after):
        due_at, pk = cursor
        supplies = supplies.filter(Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=pk))
    rows = list(
        supplies.select_related("control__household", "team__region").order_by("due_at", "pk")[
            : limit + 1
        ]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    for supply in rows:
        supply.delayed = supply.status in OPEN_REQUEST_STATUSES and now > supply.due_at
    return rows, supply_cursor(rows[-1]) if more else None


def attach_team_choices(who, supplies) -> None:
    """For the quick "assign" forms of a page of requests: `team_choices` on each, the
    teams serving its household, from one query for the whole page."""
    supplies = list(supplies)
    codes = {code for s in supplies for code in _ancestor_codes(s.region_id)}
    teams = []
    if codes:
        teams = list(
            VolunteerTeam.objects.visible_to(who)
            .filter(region_id__in=codes)
            .select_related("region")
            .order_by("name", "pk")
        )
    for supply in supplies:
        serving = set(_ancestor_codes(supply.region_id))
        supply.team_choices = [t for t in teams if t.region_id in serving]


# Volunteer teams ----------------------------------------------------------------------------


def visible_team(who, team_id: int) -> VolunteerTeam:
    return get_object_or_404(
        VolunteerTeam.objects.visible_to(who).select_related("region"), pk=team_id
    )


def team_page(
    who, *, after: int | None = None, limit: int = PAGE_SIZE, region: str = ""
) -> tuple[list[VolunteerTeam], int | None]:
    teams = VolunteerTeam.objects.visible_to(who)
    if region:
        teams = teams.in_region(region)
    if after:
        teams = teams.filter(pk__gt=after)
    rows = list(teams.select_related("region").order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].pk if more else None


# What a resident sees ------------------------------------------------------------------------


@dataclass
class ResidentStatus:
    """One identified person's own quarantine, and their household's time at home."""

    person: Person
    stay: Stay | None = None
    stay_until: date | None = None  # the end of the stay's current phase
    stay_days_remaining: int | None = None
    home_until: date | None = None  # the end of home monitoring after the site
    tests: list = field(default_factory=list)  # the days of the tests still to come
    control: HouseholdControl | None = None
    control_days_remaining: int | None = None
    requests: list = field(default_factory=list)

    @property
    def in_site(self) -> bool:
        return self.stay is not None and self.stay.status != Stay.Status.HOME_MONITORING


def resident_status(person: Person, *, now: datetime | None = None) -> ResidentStatus:
    """What the resident sees on their own page: their active stay (the days remaining in
    its current phase and the tests still due), and whether their household is kept at
    home, with its requests. Nothing about anyone else."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    status = ResidentStatus(person=person)
    stay = (
        Stay.objects.filter(person=person, status__in=ACTIVE_STAY_STATUSES)
        .select_related("site")
        .order_by("-started_at", "-pk")
        .first()
    )
    if stay is not None:
        status.stay = stay
        at_home = stay.status == Stay.Status.HOME_MONITORING
        status.stay_until = stay.planned_home_end if at_home else stay.planned_site_end
        status.stay_days_remaining = days_left(status.stay_until, today)
        status.home_until = None if at_home else stay.planned_home_end
        phases = [StayTest.Phase.HOME] if at_home else [StayTest.Phase.SITE, StayTest.Phase.RELEASE]
        status.tests = sorted(
            set(
                StayTest.objects.filter(
                    stay=stay, phase__in=phases, due_on__gte=today, result__in=STILL_TO_TAKE
                ).values_list("due_on", flat=True)
            )
        )
    if person.household_id is not None:
        control = (
            HouseholdControl.objects.filter(household_id=person.household_id, ended_at__isnull=True)
            .select_related("team")
            .order_by("-pk")
            .first()
        )
        if control is not None:
            status.control = control
            status.control_days_remaining = days_left(control.ends_on, today)
            status.requests = control_requests(control, now=now, limit=RESIDENT_REQUESTS_SHOWN)
    return status


def region_name(code: str) -> str:
    region = Region.objects.filter(code=code).only("name").first()
    return region.name if region else code
