"""Reads of gatherings: the wartime state at a moment, applications in scope (keyset pages),
an approver's queue, the attendee check (tests from the testing module, attendance from
control's place-code scans), the tourist sites' conditions under the risk areas in force
(read through control's queries) and the occupancy board."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import RiskLevel, Scan
from epicommand.control.queries.risk import levels_in_force
from epicommand.core import policy
from epicommand.core.access import scope_code
from epicommand.core.bulk import chunks, many
from epicommand.core.models import RegionBoundary
from epicommand.testing.models import Sample

from . import geometry
from .models import Application, Attendee, Booking, Slot, Stage, TouristSite, WartimeState

PAGE = 50
BOARD_LIMIT = 500
NEGATIVE = (Sample.Status.NEGATIVE, Sample.Status.RESOLVED)
REGION_APPROVERS = ("village", "township", "county")
UNIT_APPROVERS = ("unit", "foreign_affairs", "public_security")


# The wartime state -------------------------------------------------------------------------


def wartime_at(at: datetime | None = None) -> WartimeState | None:
    """The wartime declaration holding at `at` (default now), if any."""
    at = at or timezone.now()
    holding = Q(in_force_until__isnull=True) | Q(in_force_until__gt=at)
    return WartimeState.objects.filter(holding, in_force_from__lte=at).first()


def wartime_history(limit: int = 20) -> list[WartimeState]:
    return list(WartimeState.objects.select_related("declared_by")[:limit])


# Applications ------------------------------------------------------------------------------


def applications_visible_to(who):
    return Application.objects.visible_to(who)


def application_page(who, *, after: int | None = None, kind: str = "", status: str = ""):
    rows = applications_visible_to(who).select_related("region", "venue")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if after:
        rows = rows.filter(pk__lt=after)
    return list(rows.order_by("-pk")[:PAGE])


def visible_application(who, application_id: int) -> Application:
    return (
        applications_visible_to(who)
        .select_related("region", "venue", "unit", "person", "filed_by")
        .get(pk=application_id)
    )


def stages_of(application: Application) -> list[Stage]:
    return list(application.stages.select_related("region", "unit", "decided_by"))


def addressed_to(who) -> Q:
    """The stages `who` decides: a region's own stages for an account scoped to exactly that
    region, a unit's for an account of that unit."""
    code = scope_code(who)
    query = Q(pk__in=[])
    if code:
        query |= Q(approver__in=REGION_APPROVERS, region_id=code)
    unit_id = getattr(who, "unit_id", None)
    if unit_id:
        query |= Q(approver__in=UNIT_APPROVERS, unit_id=unit_id)
    return query


def queue_for(who, *, overdue_only: bool = False, now: datetime | None = None) -> list[Stage]:
    """The stages awaiting `who`'s decision, the oldest deadline first."""
    now = now or timezone.now()
    rows = Stage.objects.filter(addressed_to(who), state=Stage.State.CURRENT)
    if overdue_only:
        rows = rows.filter(due_at__lt=now)
    rows = rows.select_related("application", "application__region", "region")
    return list(rows.order_by("due_at", "pk")[:200])


# The attendee check -------------------------------------------------------------------------


@dataclass
class AttendeeCheck:
    attendee: Attendee
    tested_before: datetime | None  # the latest negative sample in the window before
    tested_after: datetime | None  # the earliest sample in the window after (any result)
    positive_after: bool
    attended_at: datetime | None  # first scan of the venue's place code in the window

    @property
    def missing(self) -> list[str]:
        missing = []
        if self.attendee.person_id is None:
            missing.append(_("not found by ID number"))
            return missing
        if self.tested_before is None:
            missing.append(_("negative test before"))
        if self.tested_after is None:
            missing.append(_("test after"))
        return missing


def attendee_check(application: Application, *, now: datetime | None = None) -> list:
    """Each attendee with the test before (negative, within the policy's hours before the
    start), the test after (within the policy's days after the end) and whether the venue's
    place code saw them: read from testing's samples and control's scans in bulk."""
    rules = policy.active().gatherings
    attendees = list(application.attendees.select_related("person"))
    person_ids = [a.person_id for a in attendees if a.person_id]
    before_from = application.starts_at - timedelta(hours=rules.test_hours_before)
    after_until = application.ends_at + timedelta(days=rules.test_days_after)
    before, after, positive, seen = {}, {}, set(), {}
    for chunk in chunks(person_ids):
        samples = Sample.objects.filter(
            person_id__in=many(chunk), sampled_at__gte=before_from, sampled_at__lte=after_until
        ).values_list("person_id", "sampled_at", "status")
        for person_id, sampled_at, status in samples:
            if sampled_at <= application.starts_at:
                if status in NEGATIVE and sampled_at > before.get(person_id, before_from):
                    before[person_id] = sampled_at
            elif sampled_at >= application.ends_at:
                if person_id not in after or sampled_at < after[person_id]:
                    after[person_id] = sampled_at
                if status in (Sample.Status.POSITIVE, Sample.Status.POOL_POSITIVE):
                    positive.add(person_id)
        if application.venue_id:
            margin = timedelta(minutes=rules.attendance_margin_minutes)
            scans = Scan.objects.filter(
                venue_id=application.venue_id,
                scanned_at__gte=application.starts_at - margin,
                scanned_at__lte=application.ends_at,
                person_id__in=many(chunk),
            ).values_list("person_id", "scanned_at")
            for person_id, scanned_at in scans:
                if person_id not in seen or scanned_at < seen[person_id]:
                    seen[person_id] = scanned_at
    return [
        AttendeeCheck(
            a,
            before.get(a.person_id),
            after.get(a.person_id),
            a.person_id in positive,
            seen.get(a.person_id),
        )
        for a in attendees
    ]


# Tourist sites -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteCondition:
    level: str
    percent: int
    cap: int
    closed_reason: str

    @property
    def closed(self) -> bool:
        return bool(self.closed_reason)


class SiteConditions:
    """The risk levels in force and the outlines of the high-risk regions, read once for
    many sites."""

    def __init__(self):
        self.levels = levels_in_force()
        self.rules = policy.active().gatherings
        high = [code for code, (level, _a) in self.levels.levels.items() if level == "high"]
        # A city-wide area is keyed by its 4-digit prefix; its outline is the city's.
        codes = [code + "00" if len(code) == 4 else code for code in high]
        self.high_shapes = list(
            RegionBoundary.objects.filter(region_id__in=codes).values_list("region_id", "geometry")
        )

    def of(self, site: TouristSite) -> SiteCondition:
        level = self.levels.level_of(site.region_id)
        percent = self.rules.site_percent.get(level, 0)
        cap = site.max_capacity * percent // 100
        reason = ""
        if percent <= 0:
            reason = _("the site lies in a %(l)s area") % {"l": RiskLevel(level).label}
        else:
            near = self.rules.closed_within_m
            for _code, shape in self.high_shapes:
                if geometry.distance_m(site.latitude, site.longitude, shape) <= near:
                    reason = _("within %(m)d m of a high-risk area") % {"m": near}
                    cap = 0
                    break
        return SiteCondition(level, percent, cap, reason)


def sites_visible_to(who):
    return TouristSite.objects.visible_to(who)


@dataclass
class BoardRow:
    site: TouristSite
    condition: SiteCondition
    booked_today: int

    @property
    def load(self) -> int:
        """Percentage of the cap inside now (100 when closed with people still inside)."""
        if self.condition.cap <= 0:
            return 100 if self.site.inside else 0
        return round(100 * self.site.inside / self.condition.cap)


def occupancy_board(who, *, now: datetime | None = None) -> list[BoardRow]:
    """Every site in scope with its cap under the risk in force, the visitors inside now and
    today's bookings: three queries whatever the number of sites."""
    now = now or timezone.now()
    sites = list(sites_visible_to(who).select_related("region")[:BOARD_LIMIT])
    conditions = SiteConditions()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    booked = dict(_booked_today(sites, day_start))
    return [BoardRow(s, conditions.of(s), booked.get(s.pk, 0)) for s in sites]


def _booked_today(sites, day_start: datetime) -> list[tuple[int, int]]:
    return list(
        Slot.objects.filter(
            site_id__in=[s.pk for s in sites],
            starts_at__gte=day_start,
            starts_at__lt=day_start + timedelta(days=1),
        )
        .values("site_id")
        .annotate(total=Sum("booked"))
        .values_list("site_id", "total")
    )


def open_slots(site: TouristSite, *, now: datetime | None = None, limit: int = 48) -> list[Slot]:
    now = now or timezone.now()
    return list(site.slots.filter(starts_at__gt=now).order_by("starts_at")[:limit])


def bookings_of(person, *, limit: int = 20) -> list[Booking]:
    rows = Booking.objects.filter(person=person).select_related("slot", "site")
    return list(rows.order_by("-booked_at")[:limit])
