"""Quarantine stays: assigning a person to a room (or to quarantine at home), the
closed-loop transfer, release from the site into home health monitoring, the end of home
monitoring, and the transfer of a positive case to a designated hospital.

    from epicommand.quarantine.services import stays
    stay = stays.assign_stay(staff, person, reason="close_contact", site=site,
                             pickup_address="小果庄村 12 号", vehicle="冀A·12345")
    stays.confirm_arrival(staff, stay)
    stays.release_problems(stay)      # what still stands in the way, in words
    stays.release_from_site(staff, stay)

The plan (days in the site, days of home monitoring, test days) comes from the protocol
edition in force when the stay begins and is kept on the stay with one StayTest row per
required test. The health code follows from facts, never set here: CENTRALIZED_QUARANTINE
(red) from the moment of pickup, since the person is under control from then on, until
the release; HOME_MONITORING (yellow) until home monitoring ends. Counters: stays_in_site
(in transfer or in the site, by the site's region), stays_home (under home monitoring, by
the stay's region), rooms_free. Every change needs WORK_QUARANTINE over the stay's region
and is audited (a batch once)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core import audit, counters, intake, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.core.models import ApiToken
from epicommand.people import lookup
from epicommand.people.models import Person

from ..models import ACTIVE_STAY_STATUSES, Room, Site, Stay, StayTest
from ..plans import Plan, plan_for
from .sites import text_error

C = Capability
S = Stay.Status
MAX_BATCH = intake.MAX_ITEMS
IN_SITE_STATUSES = (S.IN_TRANSFER, S.IN_SITE)
# A stay may be entered this long after its pickup (paper records typed in later), and its
# pickup planned this far ahead.
MAX_BACKDATE = timedelta(days=30)
MAX_AHEAD = timedelta(days=2)
ID_NUMBER_LENGTH = 18


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


def _test_label(test: StayTest) -> str:
    return _("day %(d)d test (%(p)s, due %(on)s)") % {
        "d": test.day,
        "p": test.get_phase_display(),
        "on": test.due_on.isoformat(),
    }


def _test_problems(stay: Stay, phases) -> list[tuple[str, str]]:
    problems = []
    tests = list(StayTest.objects.filter(stay=stay, phase__in=phases).order_by("due_on", "phase"))
    for test in tests:
        resampled = test.result == StayTest.Result.INVALID and any(
            t.phase == test.phase and t.due_on > test.due_on for t in tests
        )
        if test.result != StayTest.Result.NEGATIVE and not resampled:
            problems.append(
                (
                    "tests",
                    _("%(t)s: %(r)s, not negative")
                    % {"t": _test_label(test), "r": test.get_result_display()},
                )
            )
    return problems


def release_problems(stay: Stay, today: date | None = None) -> list[tuple[str, str]]:
    """Why the stay may not leave the site yet, as (field, reason); empty when it may:
    the plan's site days are served and every site and release test is negative."""
    today = today or timezone.localdate()
    problems = []
    if stay.status == S.IN_TRANSFER:
        problems.append(("status", _("the person's arrival at the site is not confirmed yet")))
    elif stay.status != S.IN_SITE:
        return [
            ("status", _("the stay is not in the site (%(s)s)") % {"s": stay.get_status_display()})
        ]
    if today < stay.planned_site_end:
        problems.append(
            (
                "planned_site_end",
                _("the centralized part is served on %(d)s: %(n)d more day(s)")
                % {
                    "d": stay.planned_site_end.isoformat(),
                    "n": (stay.planned_site_end - today).days,
                },
            )
        )
    problems += _test_problems(stay, (StayTest.Phase.SITE, StayTest.Phase.RELEASE))
    return problems


def home_release_problems(stay: Stay, today: date | None = None) -> list[tuple[str, str]]:
    """Why home monitoring may not end yet: its days served, every home test negative."""
    today = today or timezone.localdate()
    if stay.status != S.HOME_MONITORING:
        return [
            (
                "status",
                _("the stay is not under home monitoring (%(s)s)")
                % {"s": stay.get_status_display()},
            )
        ]
    problems = []
    if today < stay.planned_home_end:
        problems.append(
            (
                "planned_home_end",
                _("home monitoring is served on %(d)s: %(n)d more day(s)")
                % {
                    "d": stay.planned_home_end.isoformat(),
                    "n": (stay.planned_home_end - today).days,
                },
            )
        )
    return problems + _test_problems(stay, (StayTest.Phase.HOME,))


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        found: dict[str, list[str]] = defaultdict(list)
        for name, message in problems:
            found[name].append(message)
        raise ValidationError(dict(found))


def _active_stay_message(stay: Stay) -> str:
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
    edition = policy.active()
    errors: dict[str, str] = {}
    if reason not in Stay.Reason.values:
        errors["reason"] = _("must be one of: %(k)s") % {"k": ", ".join(Stay.Reason.values)}
    _check_texts(pickup_address, vehicle, errors)
    _check_times(started_at, pickup_at, arrived_at, now, errors)
    if errors:
        raise ValidationError(errors)
    plan = plan_for(reason, edition)
    started_at = started_at or pickup_at or now
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
        .select_related("site")
        .first()
    )
    if active is not None:
        raise ValidationError({"person": _active_stay_message(active)})
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
        )
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


def _vacate(room_id: int | None) -> None:
    """A person left the room: the last one out sends it to cleaning (not yet free)."""
    if room_id is None:
        return
    room = Room.objects.select_for_update().get(pk=room_id)
    room.occupants = max(room.occupants - 1, 0)
    if room.occupants == 0:
        room.status = Room.Status.CLEANING
    room.save(update_fields=["occupants", "status"])


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


@transaction.atomic
def release_from_site(actor, stay: Stay, *, at: datetime | None = None) -> Stay:
    """Leave the site when the plan's site days are served and every site and release
    test is negative (refused otherwise, each reason named). With home days in the plan
    the person goes into home health monitoring (yellow), else is released (green). The
    room goes to cleaning."""
    stay = _locked(actor, stay)
    now = at or timezone.now()
    _refuse(release_problems(stay, timezone.localdate(now)))
    source, key = _source(stay.pk)
    stay.left_site_at = now
    if stay.planned_home_end > stay.planned_site_end:
        # Yellow first, then end the red: one change of colour, red to yellow.
        healthcode.record_fact(
            stay.person, FactKind.HOME_MONITORING, started_at=now, source=source, source_key=key
        )
        stay.status = S.HOME_MONITORING
        counters.bump("stays_home", stay.region_id)
    else:
        stay.status, stay.released_at = S.RELEASED, now
    healthcode.end_facts([stay.person_id], FactKind.CENTRALIZED_QUARANTINE, at=now, source_key=key)
    stay.save(update_fields=["status", "left_site_at", "released_at"])
    counters.bump("stays_in_site", stay.region_id, -1)
    _vacate(stay.room_id)
    audit.record(actor, "quarantine_stay.release", stay, reason=stay.status)
    return stay


@transaction.atomic
def end_home_monitoring(actor, stay: Stay, *, at: datetime | None = None) -> Stay:
    """Release from home monitoring when its days are served and every home test is
    negative; the person's code goes back to what their other facts give (green)."""
    stay = _locked(actor, stay)
    now = at or timezone.now()
    _refuse(home_release_problems(stay, timezone.localdate(now)))
    stay.status, stay.released_at = S.RELEASED, now
    stay.save(update_fields=["status", "released_at"])
    _source_name, key = _source(stay.pk)
    healthcode.end_facts([stay.person_id], FactKind.HOME_MONITORING, at=now, source_key=key)
    counters.bump("stays_home", stay.region_id, -1)
    audit.record(actor, "quarantine_stay.release_home", stay)
    return stay


@transaction.atomic
def transfer_to_hospital(
    actor, stay: Stay, *, reason: str = "", at: datetime | None = None
) -> Stay:
    """A positive result (or a fever the doctors keep): the person goes to a designated
    hospital and the room is freed for cleaning. `actor` None is the platform acting on a
    result from the testing module. The quarantine facts end and a CASE fact
    is recorded, so the code stays red until the case module discharges the person."""
    if actor is None:  # the platform: a positive result from the testing module
        stay = Stay.objects.select_for_update().select_related("person").get(pk=stay.pk)
    else:
        stay = _locked(actor, stay)
    # A fact cannot end before it started (a result dated before a planned pickup).
    now = max(at or timezone.now(), stay.started_at)
    if problem := text_error(reason, max_length=500):
        raise ValidationError({"reason": problem})
    if stay.status not in ACTIVE_STAY_STATUSES:
        raise ValidationError(
            {"status": _("the stay has ended (%(s)s)") % {"s": stay.get_status_display()}}
        )
    source, key = _source(stay.pk)
    healthcode.record_fact(
        stay.person,
        FactKind.CASE,
        started_at=now,
        source=source,
        source_key=f"{key}:hospital",
        detail=_("transferred to a designated hospital from quarantine"),
    )
    before = stay.status
    if before in IN_SITE_STATUSES:
        healthcode.end_facts(
            [stay.person_id], FactKind.CENTRALIZED_QUARANTINE, at=now, source_key=key
        )
        counters.bump("stays_in_site", stay.region_id, -1)
        stay.left_site_at = now
        _vacate(stay.room_id)
    else:
        healthcode.end_facts([stay.person_id], FactKind.HOME_MONITORING, at=now, source_key=key)
        counters.bump("stays_home", stay.region_id, -1)
    stay.status = S.TO_HOSPITAL
    stay.save(update_fields=["status", "left_site_at"])
    audit.record(actor, "quarantine_stay.to_hospital", stay, reason=reason or before)
    return stay


# Assigning many at once --------------------------------------------------------------------------


@dataclass
class _Item:
    index: int
    client_id: str
    person: Person | None = None
    person_id: int | None = None
    id_number: str = ""
    reason: str = ""
    started_at: datetime | None = None
    pickup_address: str = ""
    vehicle: str = ""
    pickup_at: datetime | None = None
    arrived_at: datetime | None = None
    plan: Plan | None = None
    start: date | None = None  # day 1 of the plan
    room: tuple | None = None  # (id, building, number)


FIELDS = (
    "person_id",
    "id_number",
    "reason",
    "started_at",
    "pickup_address",
    "vehicle",
    "pickup_at",
    "arrived_at",
)
ITEM_KEYS = {"client_id", *FIELDS}
PERSON_COLUMNS = ("id", "region_id", "household_id", "name")


def assign_batch(actor, site: Site, items, *, now: datetime | None = None) -> intake.BatchResult:
    """Assign up to MAX_BATCH persons to free rooms of `site` in one transaction, through
    core.intake (docs/api-guide.md "Device and lab batches"): rooms in order (building,
    floor, number); members of one household in the batch together in a free family room
    with beds enough, where the policy lets families share. Each item is a mapping with
    `client_id`, `person_id` (a person you may see) or `id_number`, `reason`, and
    optionally started_at, pickup_address, vehicle, pickup_at, arrived_at.

    Validated whole: unknown persons, a person twice, persons already in a stay, plans
    kept at home, not enough free rooms raise intake.BatchRefused naming
    `items[3].person_id`, and nothing is written. Written in bulk (stays, tests, rooms,
    facts); audited once. Items whose client id is stored are replays: unchanged."""
    require(actor, C.WORK_QUARANTINE, region=site.region_id)
    if not site.is_active:
        raise ValidationError({"site": _("site %(s)s is not in use") % {"s": site.name}})
    return intake.run(StayBatch(actor, site, now or timezone.now()), items)


class StayBatch(intake.BatchApp):
    fields = FIELDS

    def __init__(self, actor, site: Site, now: datetime):
        super().__init__(now)
        self.actor, self.site = actor, site
        self.edition = policy.active()
        self.plans: dict[str, Plan] = {}

    def seen(self, client_ids):
        stored = {}
        for chunk in chunks(client_ids):
            for stay in Stay.objects.filter(client_id__in=many(chunk, "text")).select_related(
                "room"
            ):
                if not covers(self.actor, stay.region_id):
                    stored[stay.client_id] = intake.CLIENT_ID_TAKEN
                    continue
                stored[stay.client_id] = _assigned(stay.pk, stay.person_id, stay.room_id, stay.room)
        return stored

    def parse(self, index, client_id, item, errors):
        return _parse_item(index, client_id, item, self.plans, self.edition, self.now, errors)

    def resolve(self, rows, errors):
        _resolve_persons(self.actor, rows, errors)
        _refuse_duplicates_and_active(rows, errors)
        if not errors:
            _allocate_rooms(self.site, rows, self.edition, errors)

    def write(self, rows, replayed):
        return _write_batch(self.actor, self.site, rows, self.now, replayed)


def _assigned(stay_id: int, person_id: int, room_id: int | None, room) -> dict:
    return {"stay_id": stay_id, "person_id": person_id, "room_id": room_id, "room": str(room)}


def _parse_item(index, client_id, raw, plans, edition, now, errors) -> _Item:
    item = _Item(index, client_id)
    for key in sorted(set(raw) - ITEM_KEYS, key=str):
        errors.add(index, str(key), _("is not a field of an item"))
    pid, number = raw.get("person_id"), raw.get("id_number")
    if (pid is None) == (number in (None, "")):
        errors.add(index, "person_id", _("give a person_id or an id_number (one of them)"))
    elif pid is not None:
        if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**63:
            errors.add(index, "person_id", _("must be a person id"))
        else:
            item.person_id = pid
    else:
        number = number.strip().upper() if isinstance(number, str) else ""
        if len(number) != ID_NUMBER_LENGTH or "\x00" in number:
            errors.add(index, "id_number", _("is not an ID number"))
        else:
            item.id_number = number
    reason = raw.get("reason")
    if reason not in Stay.Reason.values:
        errors.add(
            index, "reason", _("must be one of: %(k)s") % {"k": ", ".join(Stay.Reason.values)}
        )
    else:
        if reason not in plans:
            plans[reason] = plan_for(reason, edition)
        item.reason, item.plan = reason, plans[reason]
        if item.plan.site_days == 0:
            errors.add(
                index,
                "reason",
                _("under the %(e)s a %(r)s is quarantined at home, not in a site")
                % {"e": edition.name, "r": Stay.Reason(reason).label},
            )
    item.pickup_address = raw.get("pickup_address") or ""
    item.vehicle = raw.get("vehicle") or ""
    texts: dict[str, str] = {}
    _check_texts(item.pickup_address, item.vehicle, texts)
    for name, problem in texts.items():
        errors.add(index, name, problem)
    _parse_times(item, raw, now, errors)
    return item


def _parse_times(item: _Item, raw, now: datetime, errors) -> None:
    """By core.intake's device-time rule; the start and the pickup may be planned up to
    MAX_AHEAD ahead, an arrival is a fact. Without a start, the pickup starts the stay."""

    def optional(name: str, ahead=None) -> datetime | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        return intake.device_time(errors, item.index, name, value, now, ahead=ahead)

    item.started_at = optional("started_at", MAX_AHEAD)
    item.pickup_at = optional("pickup_at", MAX_AHEAD)
    item.arrived_at = optional("arrived_at")
    if errors.of(item.index):
        return
    item.started_at = item.started_at or item.pickup_at or now
    item.start = timezone.localdate(item.started_at)
    if item.arrived_at is not None and item.arrived_at < item.started_at:
        errors.add(item.index, "arrived_at", _("is before the stay starts"))


def _resolve_persons(actor, parsed: list[_Item], errors) -> None:
    by_pk, by_number = defaultdict(list), defaultdict(list)
    for item in parsed:
        if item.person_id is not None:
            by_pk[item.person_id].append(item)
        elif item.id_number:
            by_number[item.id_number].append(item)
    found = {}
    for chunk in chunks(by_pk):
        rows = Person.objects.visible_to(actor).filter(pk__in=chunk).only(*PERSON_COLUMNS)
        found |= {p.pk: p for p in rows}
    for pid, items in by_pk.items():
        for item in items:
            if pid in found:
                item.person = found[pid]
            else:
                errors.add(item.index, "person_id", _("unknown person %(p)d") % {"p": pid})
    found = {}
    for chunk in chunks(by_number):
        rows = lookup.holders_anywhere(
            "id_number", chunk, purpose=lookup.Purpose.QUARANTINE_ADMISSION
        ).only(*PERSON_COLUMNS, "id_number")
        found |= {p.id_number: p for p in rows}
    for number, items in by_number.items():
        for item in items:
            if number in found:
                item.person = found[number]
            else:
                errors.add(item.index, "id_number", _("no person registered with this ID number"))


def _refuse_duplicates_and_active(parsed: list[_Item], errors) -> None:
    first: dict[int, int] = {}
    for item in parsed:
        if item.person is None:
            continue
        if item.person.pk in first:
            errors.add(
                item.index,
                "person_id",
                _("the same person as items[%(i)d]") % {"i": first[item.person.pk]},
            )
        else:
            first[item.person.pk] = item.index
    for chunk in chunks(first):
        active = Stay.objects.filter(
            person_id__in=chunk, status__in=ACTIVE_STAY_STATUSES
        ).select_related("site")
        for stay in active:
            errors.add(first[stay.person_id], "person_id", _active_stay_message(stay))


def _allocate_rooms(site: Site, parsed: list[_Item], edition, errors) -> None:
    """Rooms in order; households of the batch together in a family room if allowed."""
    free = list(
        Room.objects.select_for_update()
        .filter(site=site, status=Room.Status.FREE)
        .order_by("building", "floor", "number")
        .values_list("id", "kind", "beds", "building", "number")
    )
    taken: set[int] = set()
    alone: list[_Item] = []
    if edition.family_may_share_room:
        households: dict[int, list[_Item]] = defaultdict(list)
        for item in parsed:
            if item.person.household_id is not None:
                households[item.person.household_id].append(item)
        family_rooms = [r for r in free if r[1] == Room.Kind.FAMILY]
        for members in households.values():
            if len(members) < 2:
                continue
            room = next(
                (r for r in family_rooms if r[0] not in taken and r[2] >= len(members)), None
            )
            if room is None:
                continue  # no family room large enough: one room each
            taken.add(room[0])
            for item in members:
                item.room = (room[0], room[3], room[4])
        alone = [i for i in parsed if i.room is None]
    else:
        alone = list(parsed)
    rest = (r for r in free if r[0] not in taken)
    for item in alone:
        room = next(rest, None)
        if room is None:
            break
        item.room = (room[0], room[3], room[4])
    missing = sum(1 for i in parsed if i.room is None)
    if missing:
        errors.add(
            None,
            "items",
            _("%(n)d persons need a room and site %(s)s has %(f)d free: %(m)d short")
            % {"n": len(parsed), "s": site.name, "f": len(free), "m": missing},
        )


STAY_COLUMNS = (
    "client_id",
    "person_id",
    "site_id",
    "room_id",
    "region_id",
    "reason",
    "status",
    "edition",
    "started_at",
    "planned_site_end",
    "planned_home_end",
    "pickup_address",
    "vehicle",
    "pickup_at",
    "arrived_at",
    "left_site_at",
    "released_at",
    "assigned_by_id",
    "created_at",
)
TEST_COLUMNS = ("stay_id", "region_id", "phase", "day", "due_on", "result", "reagent")


def _due_dates(dues: dict, plan: Plan, start: date) -> list:
    """(test, due date) of a plan begun on a day, worked out once per (plan, day): a
    batch of 10,000 has a few of them, and 70,000 tests."""
    if (plan, start) not in dues:
        dues[plan, start] = [(t, t.due_on(start)) for t in plan.tests]
    return dues[plan, start]


def _write_batch(
    actor, site: Site, parsed: list[_Item], now: datetime, replayed: int
) -> intake.Written:
    dues: dict = {}
    assigned_by = None if isinstance(actor, ApiToken) else actor.pk
    stamp = naive_utc(now)
    rows = []
    for item in parsed:
        start = item.start
        rows.append(
            (
                item.client_id,
                item.person.pk,
                site.pk,
                item.room[0],
                site.region_id,
                item.reason,
                S.IN_SITE if item.arrived_at else S.IN_TRANSFER,
                item.plan.edition,
                naive_utc(item.started_at),
                item.plan.site_end(start),
                item.plan.home_end(start),
                item.pickup_address.strip(),
                item.vehicle.strip(),
                naive_utc(item.pickup_at),
                naive_utc(item.arrived_at),
                None,
                None,
                assigned_by,
                stamp,
            )
        )
    bulk_insert(Stay._meta.db_table, STAY_COLUMNS, rows)
    # Each person has one active stay, so (site, person) finds the rows just written.
    stay_ids: dict[int, int] = {}
    persons = [i.person.pk for i in parsed]
    for chunk in chunks(persons):
        stay_ids |= dict(
            Stay.objects.filter(
                site=site, person_id__in=chunk, status__in=IN_SITE_STATUSES
            ).values_list("person_id", "id")
        )
    bulk_insert(
        StayTest._meta.db_table,
        TEST_COLUMNS,
        (
            (stay, site.region_id, t.phase, t.day, due, StayTest.Result.PENDING, "")
            for i in parsed
            for stay in (stay_ids[i.person.pk],)
            for t, due in _due_dates(dues, i.plan, i.start)
        ),
    )
    per_room: dict[int, int] = defaultdict(int)
    for item in parsed:
        per_room[item.room[0]] += 1
    bulk_update(
        Room._meta.db_table,
        "id",
        ("status", "occupants"),
        ((room_id, Room.Status.OCCUPIED, n) for room_id, n in per_room.items()),
    )
    healthcode.record_facts(
        healthcode.NewFact(
            person_id=i.person.pk,
            region_id=i.person.region_id,
            kind=FactKind.CENTRALIZED_QUARANTINE,
            started_at=i.started_at,
            ended_at=None,
            source=_source(stay_ids[i.person.pk])[0],
            source_key=_source(stay_ids[i.person.pk])[1],
        )
        for i in parsed
    )
    counters.bump("stays_in_site", site.region_id, len(parsed))
    counters.bump("rooms_free", site.region_id, -len(per_room))
    audit.record(
        actor,
        "quarantine_stay.assign_batch",
        site,
        reason=f"{len(parsed)} stays in {len(per_room)} rooms, {replayed} replayed",
    )
    return intake.Written(
        [
            _assigned(stay_ids[i.person.pk], i.person.pk, i.room[0], f"{i.room[1]}{i.room[2]}")
            for i in parsed
        ],
        {"site_id": site.pk},
    )


def active_stays_of(person_ids) -> dict[int, Stay]:
    """{person id: their active stay} for many persons."""
    found = {}
    for chunk in chunks(list(person_ids)):
        rows = Stay.objects.filter(person_id__in=many(chunk), status__in=ACTIVE_STAY_STATUSES)
        for stay in rows:
            found[stay.person_id] = stay
    return found
