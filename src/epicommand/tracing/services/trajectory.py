"""A case's trajectory: its activities over the look-back window, found automatically from
its place-code scans, checkpoint passages, home and workplace (suggested), and told in the
interview (confirmed). The epidemiologist confirms or removes the automatic ones.

    from epicommand.tracing.services import trajectory
    start, end = trajectory.window(case)              # the edition of its report
    trajectory.fill_trajectory(case)                  # new suggested visits; idempotent
    trajectory.fill_trajectories(cases)               # the same for a batch of cases
    trajectory.add_visit(epi, case, venue=market, started_at=a, ended_at=b, mask="not_worn")

The window opens `lookback_days` (of the edition in force when the case was reported: a
later switch of edition does not move a case's window) before onset at midnight, Asia/Shanghai
(before sampling for an asymptomatic infection or when the onset is unknown) and closes at
isolation (or the case's outcome, or now). Home is suggested as one visit per calendar day
of the window: the interview goes day by day ("where were you on the 20th?") and a night
away is removed for that day alone, which one visit spanning the window would not allow.
The workplace is suggested for each working day (Monday to Friday, office hours) on which
no scan there already shows the person, since a scan there is the better record.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import Passage, Scan
from epicommand.core import audit, followups, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import User
from epicommand.places.models import Venue

from ..models import Case, Classification, Visit
from .cases import CLOCK_SLACK, _text_errors

C = Capability

V = Visit
# The follow-up of a visit changed: visits at places drive the co-presence candidates.
CONTACTS = "case.contacts"
# When a workplace is assumed to be occupied, lacking any record (not an epidemiological
# number: the epidemiologist corrects it in the interview).
WORKDAY_HOURS = (time(9), time(17))
WORKDAYS = range(0, 5)
# Cases per scan (or passage) query: an OR of this many index ranges stays small enough
# for SQLite's expression-depth limit and PostgreSQL's planner alike.
RANGES_PER_QUERY = 200


def _edition(edition, at=None):
    if edition is None:
        return policy.active(at=at)
    if isinstance(edition, str):
        return policy.EDITIONS[edition]
    return edition


def anchor_date(case: Case) -> date:
    """The day the look-back counts from: onset, or sampling for an asymptomatic
    infection or when the onset is not known."""
    if case.classification == Classification.ASYMPTOMATIC and case.sampling_date:
        return case.sampling_date
    return case.onset_date or case.sampling_date or timezone.localdate(case.reported_at)


def window(case: Case, edition=None, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(look-back start, end): start at local midnight `lookback_days` before the anchor
    date; end at isolation, else at the case's outcome, else now."""
    days = _edition(edition, at=case.reported_at).lookback_days
    first_day = anchor_date(case) - timedelta(days=days)
    start = timezone.make_aware(datetime.combine(first_day, time()))
    end = case.isolated_at or case.outcome_at or now or timezone.now()
    return start, max(start, end)


def _local_days(start: datetime, end: datetime):
    day = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def fill_trajectory(case: Case, *, now: datetime | None = None) -> int:
    """Suggest the visits the records show inside the window; a visit already suggested
    (or confirmed, or removed) for the same record is left as it is. Returns how many
    visits were added."""
    return fill_trajectories([case], now=now)


def fill_trajectories(cases: list[Case], *, now: datetime | None = None) -> int:
    """`fill_trajectory` for cases found together (a lab's batch of suspected cases): their
    stored visits, scans and passages read in one query each for all their windows, the new
    visits written in one. The cases come with their person, household and workplace."""
    windows = {case.pk: window(case, now=now) for case in cases}
    cases = [case for case in cases if windows[case.pk][1] > windows[case.pk][0]]
    if not cases:
        return 0
    known = defaultdict(set)
    for case_id, key in (
        Visit.objects.filter(case_id__in=[c.pk for c in cases])
        .exclude(source_key="")
        .values_list("case_id", "source_key")
    ):
        known[case_id].add(key)
    scans = _in_windows(Scan, "scanned_at", cases, windows, "venue")
    passages = _in_windows(Passage, "passed_at", cases, windows, "checkpoint")
    fresh = []
    for case in cases:
        start, end = windows[case.pk]
        found = [
            *_scan_visits(scans[case.pk]),
            *_passage_visits(passages[case.pk]),
            *_home_visits(case, start, end),
        ]
        scanned_at_work = {
            timezone.localtime(v.started_at).date()
            for v in found
            if v.origin == V.Origin.SCAN and v.venue_id and v.venue_id == case.person.workplace_id
        }
        found += _workplace_visits(case, start, end, skip_days=scanned_at_work)
        for visit in found:
            if visit.source_key not in known[case.pk]:
                visit.case = case
                visit.region_id = case.region_id
                visit.status = V.Status.SUGGESTED
                visit.created_at = now or timezone.now()
                fresh.append(visit)
    Visit.objects.bulk_create(fresh)
    return len(fresh)


def _in_windows(model, at: str, cases: list[Case], windows, place: str) -> dict[int, list]:
    """{case id: the person's records (scans, passages) inside the case's window, in time
    order}: one indexed (person, time) range per case, OR-ed into one query per
    RANGES_PER_QUERY cases."""
    found: dict[int, list] = {case.pk: [] for case in cases}
    for offset in range(0, len(cases), RANGES_PER_QUERY):
        part = cases[offset : offset + RANGES_PER_QUERY]
        ranges = Q()
        for case in part:
            start, end = windows[case.pk]
            ranges |= Q(person_id=case.person_id, **{f"{at}__gte": start, f"{at}__lt": end})
        rows = model.objects.filter(ranges).select_related(place).order_by(at, "pk")
        by_person = defaultdict(list)
        for row in rows:
            by_person[row.person_id].append(row)
        for case in part:
            start, end = windows[case.pk]
            found[case.pk] = [r for r in by_person[case.person_id] if start <= getattr(r, at) < end]
    return found


def _scan_visits(scans):
    dwell = timedelta(minutes=policy.active().copresence_dwell_minutes)
    for scan in scans:
        venue = scan.venue
        yield Visit(
            origin=V.Origin.SCAN,
            venue=venue,
            address=venue.address[:200],
            latitude=venue.latitude,
            longitude=venue.longitude,
            started_at=scan.scanned_at,
            ended_at=scan.scanned_at + dwell,
            source_key=f"scan:{scan.pk}",
        )


def _passage_visits(passages):
    for passage in passages:
        point = passage.checkpoint
        yield Visit(
            origin=V.Origin.CHECKPOINT,
            checkpoint=point,
            address=" ".join(filter(None, (point.name, point.road)))[:200],
            latitude=point.latitude,
            longitude=point.longitude,
            started_at=passage.passed_at,
            ended_at=passage.passed_at,
            note=passage.plate and _("vehicle %(p)s") % {"p": passage.plate},
            source_key=f"passage:{passage.pk}",
        )


def _home_visits(case: Case, start: datetime, end: datetime):
    person = case.person
    household = person.household
    address = (household.address if household else "") or person.address
    if not address:
        return
    for day in _local_days(start, end):
        day_start = max(start, _at(day, time()))
        day_end = min(end, _at(day + timedelta(days=1), time()))
        if day_end > day_start:
            yield Visit(
                origin=V.Origin.HOME,
                address=address[:200],
                started_at=day_start,
                ended_at=day_end,
                source_key=f"home:{day.isoformat()}",
            )


def _workplace_visits(case: Case, start: datetime, end: datetime, *, skip_days: set[date]):
    venue = case.person.workplace
    if venue is None:
        return
    for day in _local_days(start, end):
        if day.weekday() not in WORKDAYS or day in skip_days:
            continue
        day_start = max(start, _at(day, WORKDAY_HOURS[0]))
        day_end = min(end, _at(day, WORKDAY_HOURS[1]))
        if day_end > day_start:
            yield Visit(
                origin=V.Origin.WORKPLACE,
                venue=venue,
                address=venue.address[:200],
                latitude=venue.latitude,
                longitude=venue.longitude,
                started_at=day_start,
                ended_at=day_end,
                source_key=f"workplace:{day.isoformat()}",
            )


# The epidemiologist's changes ------------------------------------------------------------------


def add_visit(
    actor,
    case: Case,
    *,
    started_at: datetime,
    ended_at: datetime,
    venue: Venue | None = None,
    address: str = "",
    companions: str = "",
    mask: str = "",
    note: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime | None = None,
) -> Visit:
    """A visit told in the interview: a place (or a free address), a time range inside the
    window, who was there and whether a mask was worn. Confirmed at once."""
    now = now or timezone.now()
    require(actor, C.INVESTIGATE, region=case.region_id)
    errors = _text_errors(address=(address, 200), companions=(companions, 300), note=(note, 300))
    if mask not in V.Mask.values:
        errors["mask"] = _("must be worn, not_worn or empty")
    if venue is None and not (isinstance(address, str) and address.strip()):
        errors.setdefault("address", _("give a place or an address"))
    for name, value in (("latitude", latitude), ("longitude", longitude)):
        limit = 90 if name == "latitude" else 180
        if value is not None and not (isinstance(value, int | float) and -limit <= value <= limit):
            errors[name] = _("must be a number between -%(n)d and %(n)d") % {"n": limit}
    errors.update(visit_time_errors(case, started_at, ended_at, now=now))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = Visit.objects.create(
            case=case,
            region_id=case.region_id,
            origin=V.Origin.INTERVIEW,
            status=V.Status.CONFIRMED,
            venue=venue,
            address=(address.strip() or (venue.address if venue else ""))[:200],
            latitude=latitude if latitude is not None else (venue.latitude if venue else None),
            longitude=longitude if longitude is not None else (venue.longitude if venue else None),
            started_at=started_at,
            ended_at=ended_at,
            companions=companions,
            mask=mask,
            note=note,
            created_by=actor if isinstance(actor, User) else None,
            created_at=now,
        )
        audit.record(actor, "visit.add", visit)
        followups.after_commit(CONTACTS, case, changed_at=now)
    return visit


def visit_time_errors(case: Case, started_at, ended_at, *, now=None) -> dict[str, str]:
    """Why a visit's time range is refused: ends before it starts, or outside the window."""
    errors = {}
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if not isinstance(value, datetime):
            errors[name] = _("must be a date and time")
        elif timezone.is_naive(value):
            errors[name] = _("must carry a time zone")
    if errors:
        return errors
    start, end = window(case, now=now)
    local = timezone.localtime
    if ended_at < started_at:
        errors["ended_at"] = _("ends before it starts")
    elif started_at < start:
        errors["started_at"] = _("is before the look-back window opens (%(t)s)") % {
            "t": f"{local(start):%Y-%m-%d %H:%M}"
        }
    elif ended_at > end + CLOCK_SLACK:
        errors["ended_at"] = _("is after the window closes (%(t)s)") % {
            "t": f"{local(end):%Y-%m-%d %H:%M}"
        }
    return errors


def confirm_visit(actor, visit: Visit, *, now: datetime | None = None) -> Visit:
    """The epidemiologist confirms an automatic (or restores a removed) visit."""
    return _set_status(actor, visit, V.Status.CONFIRMED, "visit.confirm", now=now)


def remove_visit(actor, visit: Visit, *, now: datetime | None = None) -> Visit:
    """The epidemiologist removes a visit that did not happen (kept, marked removed, so a
    refill does not suggest it again)."""
    return _set_status(actor, visit, V.Status.REMOVED, "visit.remove", now=now)


def _set_status(actor, visit: Visit, status: str, action: str, *, now=None) -> Visit:
    require(actor, C.INVESTIGATE, region=visit.region_id)
    if visit.status == status:
        raise ValidationError(
            {"status": _("the visit is %(s)s already") % {"s": visit.get_status_display()}}
        )
    with transaction.atomic():
        visit.status = status
        visit.save(update_fields=["status"])
        audit.record(actor, action, visit)
        followups.after_commit(CONTACTS, visit.case, changed_at=now)
    return visit
