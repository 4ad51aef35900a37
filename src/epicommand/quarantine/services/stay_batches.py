"""Assigning many persons to quarantine at once: a batch of up to MAX_BATCH persons
into the free rooms of one site, through core.intake (docs/api-guide.md "Device and lab
batches"), checked whole and written in bulk: the intake app behind
POST /api/v1/quarantine/stays/batch.

    from epicommand.quarantine.services import stay_batches
    result = stay_batches.assign_batch(staff, site, [
        {"client_id": "a1", "person_id": 42, "reason": "close_contact"},
    ])

Each stay is as quarantine.services.stays.assign_stay would make it: its plan, its tests,
a CENTRALIZED_QUARANTINE fact from the pickup, the counters; audited once."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
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
from .stays import IN_SITE_STATUSES, MAX_AHEAD, _active_stay_message, _check_texts, _source

C = Capability
S = Stay.Status
MAX_BATCH = intake.MAX_ITEMS
ID_NUMBER_LENGTH = 18


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
        self.plans: dict[tuple[str, str], Plan] = {}  # by (edition, reason)

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
        _refuse_duplicates_and_active(self.actor, rows, errors)
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
    _parse_times(item, raw, now, errors)
    # The plan of the edition in force on the stay's first day (the batch's, when the
    # item's times are refused): a stay keeps it whatever switch comes later.
    if item.started_at is not None:
        edition = policy.active(at=item.started_at)
    reason = raw.get("reason")
    if reason not in Stay.Reason.values:
        errors.add(
            index, "reason", _("must be one of: %(k)s") % {"k": ", ".join(Stay.Reason.values)}
        )
    else:
        if (edition.code, reason) not in plans:
            plans[edition.code, reason] = plan_for(reason, edition)
        item.reason, item.plan = reason, plans[edition.code, reason]
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


def _refuse_duplicates_and_active(actor, parsed: list[_Item], errors) -> None:
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
        ).select_related("site", "person")
        for stay in active:
            errors.add(first[stay.person_id], "person_id", _active_stay_message(stay, actor))


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
