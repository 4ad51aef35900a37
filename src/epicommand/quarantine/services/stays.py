"""Quarantine stays: assigning a person to a room (or to quarantine at home), the
closed-loop transfer up to the arrival at the site, and reading where a stay stands.
Release from the site, the end of home monitoring and the transfer to a hospital are in
releases.py; assigning a batch of persons at once is in stay_batches.py.

    from epicommand.quarantine.services import releases, stays
    stay = stays.assign_stay(staff, person, reason="close_contact", site=site,
                             pickup_address="小果庄村 12 号", vehicle="冀A·12345")
    stays.confirm_arrival(staff, stay)
    releases.release_problems(stay)      # what still stands in the way, in words
    releases.release_from_site(staff, stay)

The plan (days in the site, days of home monitoring, test days) comes from the protocol
edition in force when the stay begins and is kept on the stay with one StayTest row per
required test. The health code follows from facts, never set here: CENTRALIZED_QUARANTINE
(red) from the moment of pickup, since the person is under control from then on, until
the release; HOME_MONITORING (yellow) until home monitoring ends. Counters: stays_in_site
(in transfer or in the site, by the site's region), stays_home (under home monitoring, by
the stay's region), rooms_free. Every change needs WORK_QUARANTINE over the stay's region
and is audited (a batch once)."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode, person_state
from epicommand.control.services.person_state import Transition
from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import chunks, many
from epicommand.core.models import ApiToken
from epicommand.people.models import Person

from ..models import ACTIVE_STAY_STATUSES, Room, Site, Stay, StayTest
from ..plans import Plan, plan_for
from .sites import text_error

C = Capability
S = Stay.Status
IN_SITE_STATUSES = (S.IN_TRANSFER, S.IN_SITE)
# A stay may be entered this long after its pickup (paper records typed in later), and its
# pickup planned this far ahead.
MAX_BACKDATE = timedelta(days=30)
MAX_AHEAD = timedelta(days=2)


def _source(stay_id: int) -> tuple[str, str]:
    return f"quarantine stay {stay_id}", f"stay:{stay_id}"


# Reading a stay --------------------------------------------------------------------------------


def start_day(stay: Stay) -> date:
    """Day 1 of the stay (Asia/Shanghai)."""
    return timezone.localdate(stay.started_at)


def day_of_stay(stay: Stay, today: date | None = None) -> int:
    return ((today or timezone.localdate()) - start_day(stay)).days + 1


def days_remaining(stay: Stay, today: date | None = None) -> int | None:
    """Whole days until the current part of the stay is served: the centralized part while
    in transfer or in the site, home monitoring after; None once the stay has ended."""
    today = today or timezone.localdate()
    if stay.status in IN_SITE_STATUSES:
        return max((stay.planned_site_end - today).days, 0)
    if stay.status == S.HOME_MONITORING:
        return max((stay.planned_home_end - today).days, 0)
    return None


def active_stays_of(person_ids) -> dict[int, Stay]:
    """{person id: their active stay} for many persons."""
    found = {}
    for chunk in chunks(list(person_ids)):
        rows = Stay.objects.filter(person_id__in=many(chunk), status__in=ACTIVE_STAY_STATUSES)
        for stay in rows:
            found[stay.person_id] = stay
    return found


def _active_stay_message(stay: Stay, actor=None) -> str:
    """Names the stay that stands in the way, unless it is another county's to read (a
    site of theirs holding a person of theirs): then only that there is one."""
    if actor is not None and not (
        covers(actor, stay.region_id) or covers(actor, stay.person.region_id)
    ):
        return _("already in a quarantine stay kept by another county")
    where = stay.site.name if stay.site_id else _("at home")
    return _("already in stay %(id)d (%(where)s, %(status)s since %(day)s)") % {
        "id": stay.pk,
        "where": where,
        "status": stay.get_status_display(),
        "day": start_day(stay).isoformat(),
    }


def _household_of_room(room: Room) -> set:
    """The households of the room's current occupants."""
    return set(
        Stay.objects.filter(room=room, status__in=IN_SITE_STATUSES).values_list(
            "person__household_id", flat=True
        )
    )


# Assigning one person ----------------------------------------------------------------------------


def _check_times(started_at, pickup_at, arrived_at, now, errors, prefix="") -> None:
    for name, value in (
        ("started_at", started_at),
        ("pickup_at", pickup_at),
        ("arrived_at", arrived_at),
    ):
        if value is None:
            continue
        if not isinstance(value, datetime) or timezone.is_naive(value):
            errors[prefix + name] = _("must be a date and time with its time zone")
        elif value > now + MAX_AHEAD:
            errors[prefix + name] = _("is more than two days ahead")
        elif value < now - MAX_BACKDATE:
            errors[prefix + name] = _("is more than 30 days ago")
    if prefix + "arrived_at" not in errors and arrived_at is not None:
        if isinstance(arrived_at, datetime) and arrived_at > now:
            errors[prefix + "arrived_at"] = _("is in the future")


def _check_texts(pickup_address, vehicle, errors, prefix="") -> None:
    if problem := text_error(pickup_address, max_length=200):
        errors[prefix + "pickup_address"] = problem
    if problem := text_error(vehicle, max_length=30):
        errors[prefix + "vehicle"] = problem


def _room_problem(room: Room, person: Person, edition) -> str | None:
    """Why this person may not take this room, or None."""
    if room.status == Room.Status.OUT_OF_SERVICE:
        return _("room %(r)s is out of service") % {"r": room}
    if room.status == Room.Status.CLEANING:
        return _("room %(r)s is being cleaned") % {"r": room}
    if room.status == Room.Status.FREE:
        return None
    occupied = _("room %(r)s is occupied") % {"r": room}
    if room.kind != Room.Kind.FAMILY:
        return occupied
    if not edition.family_may_share_room:
        return occupied + _(": the protocol in force does not let families share a room")
    if room.occupants >= room.beds:
        return occupied + _(": all its %(n)d beds are taken") % {"n": room.beds}
    households = _household_of_room(room)
    if person.household_id is None or households != {person.household_id}:
        return occupied + _(": only members of the same household may share a family room")
    return None


def _shared_family_room(site: Site, person: Person, edition) -> Room | None:
    """A family room of this site where the person's household is, with a bed to spare."""
    if not edition.family_may_share_room or person.household_id is None:
        return None
    candidates = (
        Stay.objects.filter(
            site=site,
            status__in=IN_SITE_STATUSES,
            person__household_id=person.household_id,
            room__kind=Room.Kind.FAMILY,
        )
        .values_list("room_id", flat=True)
        .distinct()
    )
    for room_id in candidates:
        room = Room.objects.select_for_update().get(pk=room_id)
        if _room_problem(room, person, edition) is None:
            return room
    return None


def _first_free_room(site: Site) -> Room | None:
    return (
        Room.objects.select_for_update()
        .filter(site=site, status=Room.Status.FREE)
        .order_by("building", "floor", "number")
        .first()
    )


@transaction.atomic
def assign_stay(
    actor,
    person: Person,
    *,
    reason: str,
    site: Site | None,
    room: Room | None = None,
    started_at: datetime | None = None,
    pickup_address: str = "",
    vehicle: str = "",
    pickup_at: datetime | None = None,
    arrived_at: datetime | None = None,
) -> Stay:
    """Put a person in quarantine for `reason`: in `room` of `site`, or the site's first
    free room (a family room the person's household is in, if the policy lets families
    share), or at home when the plan has no site days (9th-edition secondary contacts;
    then `site` must be None). `started_at` (default: the pickup time, else now) is day 1
    of the plan. The stay is in transfer until the arrival is confirmed (`arrived_at`
    confirms it at once, for persons entered after they arrived).

    Refused with reasons: a person already in an active stay (it is named), an occupied
    room (unless shared by one household in a family room, where the policy allows), a
    room being cleaned or out of service, a site not in use."""
    require(actor, C.WORK_QUARANTINE)
    now = timezone.now()
    errors: dict[str, str] = {}
    if reason not in Stay.Reason.values:
        errors["reason"] = _("must be one of: %(k)s") % {"k": ", ".join(Stay.Reason.values)}
    _check_texts(pickup_address, vehicle, errors)
    _check_times(started_at, pickup_at, arrived_at, now, errors)
    if errors:
        raise ValidationError(errors)
    started_at = started_at or pickup_at or now
    # The plan is the edition's in force on day 1, kept on the stay for good (Stay.edition):
    # a later switch of edition does not change a stay already begun.
    edition = policy.active(at=started_at)
    plan = plan_for(reason, edition)
    if arrived_at is not None and arrived_at < started_at:
        raise ValidationError({"arrived_at": _("is before the stay starts")})
    if plan.site_days == 0:
        if site is not None or room is not None:
            raise ValidationError(
                {
                    "site": _(
                        "under the %(e)s a %(r)s is quarantined at home: assign it without a site"
                    )
                    % {"e": edition.name, "r": Stay.Reason(reason).label}
                }
            )
        if not covers(actor, person.region_id):
            raise ValidationError(
                {"person": _("lives outside your jurisdiction: their district keeps it")}
            )
    elif site is None:
        raise ValidationError({"site": _("is required: the plan has days in a site")})
    else:
        require(actor, region=site.region_id)
        if not site.is_active:
            raise ValidationError({"site": _("site %(s)s is not in use") % {"s": site.name}})
    # One stay at a time: lock the person so that two assignments cannot both pass.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    active = (
        Stay.objects.filter(person=person, status__in=ACTIVE_STAY_STATUSES)
        .select_related("site", "person")
        .first()
    )
    if active is not None:
        raise ValidationError({"person": _active_stay_message(active, actor)})
    arrival = Transition.QUARANTINED_AT_HOME if site is None else Transition.ADMITTED_TO_SITE
    person_state.refuse_conflicts(arrival, [person.pk], field="person")
    if site is not None:
        room = _pick_room(site, room, person, edition)
    stay = Stay.objects.create(
        person=person,
        site=site,
        room=room,
        region_id=site.region_id if site is not None else person.region_id,
        reason=reason,
        status=S.HOME_MONITORING if site is None else S.IN_TRANSFER,
        edition=plan.edition,
        started_at=started_at,
        planned_site_end=plan.site_end(timezone.localdate(started_at)),
        planned_home_end=plan.home_end(timezone.localdate(started_at)),
        pickup_address=pickup_address.strip(),
        vehicle=vehicle.strip(),
        pickup_at=pickup_at,
        assigned_by=None if isinstance(actor, ApiToken) else actor,
    )
    if site is not None and arrived_at is not None:
        stay.status, stay.arrived_at = S.IN_SITE, arrived_at
        stay.save(update_fields=["status", "arrived_at"])
    _create_tests(stay, plan)
    source, key = _source(stay.pk)
    if site is None:
        counters.bump("stays_home", stay.region_id)
        healthcode.record_fact(
            person, FactKind.HOME_MONITORING, started_at=started_at, source=source, source_key=key
        )
    else:
        _occupy(room)
        counters.bump("stays_in_site", stay.region_id)
        # The person is under control from the pickup: red from then, not from arrival.
        healthcode.record_fact(
            person,
            FactKind.CENTRALIZED_QUARANTINE,
            started_at=started_at,
            source=source,
            source_key=key,
            detail=f"{site.name} {room}",
        )
    # The person is under control from now: their contact records say so.
    person_state.happened(arrival, [person.pk], at=started_at, now=now)
    where = f"{site.name} {room}" if site is not None else "home"
    audit.record(actor, "quarantine_stay.assign", stay, reason=f"{reason}, {where}")
    return stay


def _pick_room(site: Site, room: Room | None, person: Person, edition) -> Room:
    if room is None:
        room = _shared_family_room(site, person, edition) or _first_free_room(site)
        if room is None:
            raise ValidationError({"room": _("site %(s)s has no free room") % {"s": site.name}})
        return room
    if room.site_id != site.pk:
        raise ValidationError(
            {"room": _("room %(r)s is not at site %(s)s") % {"r": room, "s": site.name}}
        )
    room = Room.objects.select_for_update().get(pk=room.pk)
    if problem := _room_problem(room, person, edition):
        raise ValidationError({"room": problem})
    return room


def _occupy(room: Room) -> None:
    was_free = room.status == Room.Status.FREE
    room.occupants += 1
    room.status = Room.Status.OCCUPIED
    room.save(update_fields=["occupants", "status"])
    if was_free:
        counters.bump("rooms_free", room.region_id, -1)


def _create_tests(stay: Stay, plan: Plan) -> None:
    start = timezone.localdate(stay.started_at)
    StayTest.objects.bulk_create(
        StayTest(
            stay=stay, region_id=stay.region_id, phase=t.phase, day=t.day, due_on=t.due_on(start)
        )
        for t in plan.tests
    )


# The stay's course ------------------------------------------------------------------------------


def _locked(actor, stay: Stay) -> Stay:
    require(actor, C.WORK_QUARANTINE, region=stay.region_id)
    return (
        Stay.objects.select_for_update(of=("self",))
        .select_related("person", "site", "room")
        .get(pk=stay.pk)
    )


@transaction.atomic
def confirm_arrival(actor, stay: Stay, *, at: datetime | None = None) -> Stay:
    """The closed loop is closed: the person arrived at the site."""
    stay = _locked(actor, stay)
    now = timezone.now()
    at = at or now
    if stay.status != S.IN_TRANSFER:
        raise ValidationError(
            {
                "status": _("only a stay in transfer can arrive (it is %(s)s)")
                % {"s": stay.get_status_display()}
            }
        )
    if at > now:
        raise ValidationError({"arrived_at": _("is in the future")})
    if at < stay.started_at:
        raise ValidationError({"arrived_at": _("is before the pickup")})
    stay.status, stay.arrived_at = S.IN_SITE, at
    stay.save(update_fields=["status", "arrived_at"])
    audit.record(actor, "quarantine_stay.arrive", stay)
    return stay


# Extending stays ------------------------------------------------------------------------------


@transaction.atomic
def extend_stays(actor, stays, *, days: int, reason: str) -> int:
    """Add `days` to each active stay: to its centralized part while the person is still in
    transfer or in the site, else to home monitoring; the tests still to come after the
    extended part move with it, and a site stay gets one more test on its new last day (the
    release sample moves there). Run by the platform from a rule (a positive on the
    person's flight); returns the stays extended."""
    require(actor, C.WORK_QUARANTINE, platform=True)
    extended = 0
    for stay in Stay.objects.select_for_update().filter(
        pk__in=[s.pk for s in stays], status__in=ACTIVE_STAY_STATUSES
    ):
        shift = timedelta(days=days)
        in_site = stay.status in IN_SITE_STATUSES and stay.site_id is not None
        if in_site:
            stay.planned_site_end += shift
            later = StayTest.objects.filter(
                stay=stay, phase__in=(StayTest.Phase.HOME, StayTest.Phase.RELEASE)
            )
            for test in later.filter(result=StayTest.Result.PENDING):
                test.day += days
                test.due_on += shift
                test.save(update_fields=["day", "due_on"])
            last_day = (stay.planned_site_end - start_day(stay)).days
            StayTest.objects.create(
                stay=stay,
                region_id=stay.region_id,
                phase=StayTest.Phase.SITE,
                day=last_day,
                due_on=stay.planned_site_end - timedelta(days=1),
            )
        stay.planned_home_end += shift
        stay.save(update_fields=["planned_site_end", "planned_home_end"])
        audit.record(actor, "quarantine_stay.extend", stay, reason=f"+{days} days: {reason}")
        extended += 1
    return extended
