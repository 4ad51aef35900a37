"""Quarantine sites and their rooms: setting a site up (a hotel, a purpose-built camp, an
observation ward), adding rooms in bulk (a 4,156-room camp is one action), and a room's
status between stays (cleaning, out of service, back to free).

    from epicommand.quarantine.services import sites
    site = sites.create_site(office, name="黄庄集中隔离点", kind="camp", region_id="130109101",
                             address="...", latitude=38.0, longitude=114.8, unit_id=unit.pk)
    sites.add_rooms(office, site, building="A", floor_from=1, floor_to=4, rooms_per_floor=1039)

Setting sites up needs MANAGE_QUARANTINE_SITES inside the caller's jurisdiction; a room's
status may also be set by the site's staff (WORK_QUARANTINE). Every change is audited, and
the `rooms_free` counter (free rooms of sites in use, by the site's region) moves in the
same transaction."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, edits
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert
from epicommand.core.models import Region, Unit, User

from ..models import Room, Site

C = Capability
SITE_FIELDS = (
    "name",
    "kind",
    "region_id",
    "address",
    "latitude",
    "longitude",
    "unit_id",
    "manager_id",
    "manager_phone",
)
# One "add rooms" action: a camp of 4,156 single rooms fits with room to spare.
MAX_ROOMS_PER_ACTION = 10_000
MAX_FLOOR = 200
MAX_BEDS = 12
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
# What a person may set a room to by hand; "occupied" follows the stays.
SETTABLE_STATUSES = (Room.Status.FREE, Room.Status.CLEANING, Room.Status.OUT_OF_SERVICE)


def text_error(value, *, max_length: int, required: bool = False) -> str | None:
    """Why a text value is refused, or None."""
    if not isinstance(value, str):
        return _("must be text")
    if "\x00" in value:
        return _("contains a NUL character")
    if required and not value.strip():
        return _("is required")
    if len(value) > max_length:
        return _("is longer than %(n)d characters") % {"n": max_length}
    return None


# Sites ---------------------------------------------------------------------------------------


def _site_errors(actor, data: dict) -> dict[str, str]:
    errors = {}
    for name, limit, required in (
        ("name", 150, True),
        ("address", 200, True),
        ("manager_phone", 20, False),
    ):
        data[name] = data.get(name) if data.get(name) is not None else ""
        if isinstance(data[name], str):
            data[name] = data[name].strip()
        if problem := text_error(data[name], max_length=limit, required=required):
            errors[name] = problem
    if "manager_phone" not in errors and data["manager_phone"]:
        if not PHONE.match(data["manager_phone"]):
            errors["manager_phone"] = _("is not a phone number")
    if data.get("kind") not in Site.Kind.values:
        errors["kind"] = _("must be one of: %(k)s") % {"k": ", ".join(Site.Kind.values)}
    code = data.get("region_id")
    code = code.strip() if isinstance(code, str) else ""
    data["region_id"] = code
    region = Region.objects.filter(code=code).only("code", "level").first() if code else None
    if region is None:
        errors["region_id"] = _("unknown region code %(c)s") % {"c": code}
    elif region.level == Region.Level.CITY:
        errors["region_id"] = _("a site lies in a county, township or village, not the city")
    elif not covers(actor, code):
        errors["region_id"] = _("is outside your jurisdiction")
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[name] = _("must be a number")
        elif not -bound <= value <= bound:
            errors[name] = _("must be between %(a)d and %(b)d") % {"a": -bound, "b": bound}
    unit_id = data.get("unit_id")
    unit = _by_id(Unit, unit_id)
    if unit is None:
        errors["unit_id"] = _("unknown unit %(u)s") % {"u": unit_id}
    elif "region_id" not in errors and not (
        code.startswith(unit.region_id) or covers(actor, unit.region_id)
    ):
        errors["unit_id"] = _(
            "the unit is neither above the site's region nor in your jurisdiction"
        )
    manager_id = data.get("manager_id")
    if manager_id is not None:
        manager = _by_id(User, manager_id)
        if manager is None or not manager.is_active:
            errors["manager_id"] = _("unknown user %(u)s") % {"u": manager_id}
        elif "region_id" not in errors and not covers(manager, code):
            errors["manager_id"] = _("the site lies outside the manager's jurisdiction")
    return errors


def _by_id(model, pk):
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
        return None
    return model.objects.filter(pk=pk).first()


@transaction.atomic
def create_site(
    actor,
    *,
    name: str,
    kind: str,
    region_id: str,
    address: str,
    latitude: float,
    longitude: float,
    unit_id: int,
    manager_id: int | None = None,
    manager_phone: str = "",
    is_active: bool = True,
) -> Site:
    """A command office sets up a site inside its jurisdiction; rooms come after."""
    require(actor, C.MANAGE_QUARANTINE_SITES)
    data = dict(
        name=name,
        kind=kind,
        region_id=region_id,
        address=address,
        latitude=latitude,
        longitude=longitude,
        unit_id=unit_id,
        manager_id=manager_id,
        manager_phone=manager_phone,
    )
    errors = _site_errors(actor, data)
    if errors:
        raise ValidationError(errors)
    site = Site.objects.create(**data, is_active=bool(is_active))
    audit.record(actor, "quarantine_site.create", site)
    return site


@transaction.atomic
def update_site(actor, site: Site, *, reason: str = "", **changes) -> Site:
    """Change any of SITE_FIELDS or `is_active`; the audit line names what changed. A site
    with rooms keeps its region (its rooms and stays are counted there). Taking a site out
    of use takes its free rooms out of the free-room count until it is back."""
    require(actor, C.MANAGE_QUARANTINE_SITES, region=site.region_id)
    site = Site.objects.select_for_update().get(pk=site.pk)
    data = edits.proposed(site, changes, SITE_FIELDS)
    errors = _site_errors(actor, data)
    if "region_id" not in errors and data["region_id"] != site.region_id:
        if site.rooms.exists():
            errors["region_id"] = _(
                "a site with rooms keeps its region: its rooms and stays are counted there"
            )
    if errors:
        raise ValidationError(errors)
    changed = edits.apply(site, data, changes, SITE_FIELDS)
    if "is_active" in changed:
        free = site.rooms.filter(status=Room.Status.FREE).count()
        counters.bump("rooms_free", site.region_id, free if site.is_active else -free)
    edits.audit_changes(actor, "quarantine_site.update", site, changed, reason)
    return site


# Rooms ---------------------------------------------------------------------------------------


def room_numbers(floor_from: int, floor_to: int, rooms_per_floor: int) -> Iterable[tuple]:
    """(floor, number) of each room: the floor, then the room's place on it, padded so
    numbers sort as they stand: 101..140 for 40 rooms a floor, 10001..11039 for 1,039."""
    width = max(2, len(str(rooms_per_floor)))
    for floor in range(floor_from, floor_to + 1):
        for n in range(1, rooms_per_floor + 1):
            yield floor, f"{floor}{n:0{width}d}"


def _room_errors(building, floor_from, floor_to, rooms_per_floor, kind, beds) -> dict:
    errors = {}
    if problem := text_error(building, max_length=20):
        errors["building"] = problem
    ints = {
        "floor_from": floor_from,
        "floor_to": floor_to,
        "rooms_per_floor": rooms_per_floor,
        "beds": beds,
    }
    for name, value in ints.items():
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = _("must be a whole number")
    if errors:
        return errors
    if not -5 <= floor_from <= MAX_FLOOR:
        errors["floor_from"] = _("must be between %(a)d and %(b)d") % {"a": -5, "b": MAX_FLOOR}
    if not floor_from <= floor_to <= MAX_FLOOR:
        errors["floor_to"] = _("must be between the first floor and %(b)d") % {"b": MAX_FLOOR}
    if not 1 <= rooms_per_floor <= MAX_ROOMS_PER_ACTION:
        errors["rooms_per_floor"] = _("must be between 1 and %(n)d") % {"n": MAX_ROOMS_PER_ACTION}
    if kind not in Room.Kind.values:
        errors["kind"] = _("must be one of: %(k)s") % {"k": ", ".join(Room.Kind.values)}
    if not 1 <= beds <= MAX_BEDS:
        errors["beds"] = _("must be between 1 and %(n)d") % {"n": MAX_BEDS}
    elif kind == Room.Kind.SINGLE and beds != 1:
        errors["beds"] = _("a single room has one bed")
    if not errors:
        total = (floor_to - floor_from + 1) * rooms_per_floor
        if total > MAX_ROOMS_PER_ACTION:
            errors["rooms_per_floor"] = _(
                "%(t)d rooms in one action; at most %(n)d: add the rest in another"
            ) % {"t": total, "n": MAX_ROOMS_PER_ACTION}
    return errors


@transaction.atomic
def add_rooms(
    actor,
    site: Site,
    *,
    building: str = "",
    floor_from: int,
    floor_to: int,
    rooms_per_floor: int,
    kind: str = Room.Kind.SINGLE,
    beds: int = 1,
) -> int:
    """Add `rooms_per_floor` rooms on every floor from `floor_from` to `floor_to` of a
    building, all free, in one bulk write; numbered by room_numbers. Refused whole if any
    number is taken in that building. Returns the rooms added; audited once."""
    require(actor, C.MANAGE_QUARANTINE_SITES, region=site.region_id)
    building = building.strip() if isinstance(building, str) else building
    errors = _room_errors(building, floor_from, floor_to, rooms_per_floor, kind, beds)
    if errors:
        raise ValidationError(errors)
    # Serialize room numbering of a site (PostgreSQL; SQLite's write lock does it already).
    site = Site.objects.select_for_update().get(pk=site.pk)
    planned = list(room_numbers(floor_from, floor_to, rooms_per_floor))
    # The whole building: floor 1 of 150 rooms (1001..1150) and floor 10 of 10 rooms
    # (1001..1010) would share numbers.
    taken = set(Room.objects.filter(site=site, building=building).values_list("number", flat=True))
    clashes = [number for _floor, number in planned if number in taken]
    if clashes:
        shown = ", ".join(clashes[:5]) + (" ..." if len(clashes) > 5 else "")
        raise ValidationError(
            {
                "floor_from": _("%(n)d of these rooms exist already in building %(b)s: %(r)s")
                % {"n": len(clashes), "b": building or "—", "r": shown}
            }
        )
    count = bulk_insert(
        Room._meta.db_table,
        (
            "site_id",
            "region_id",
            "building",
            "floor",
            "number",
            "kind",
            "beds",
            "status",
            "occupants",
        ),
        (
            (site.pk, site.region_id, building, floor, number, kind, beds, Room.Status.FREE, 0)
            for floor, number in planned
        ),
    )
    if site.is_active:
        counters.bump("rooms_free", site.region_id, count)
    audit.record(
        actor,
        "quarantine_room.add",
        site,
        reason=f"{count} {kind} rooms, building {building or '-'}, floors {floor_from}-{floor_to}",
    )
    return count


# Room transitions a person may make: occupied rooms change with their stays only.
_ALLOWED = {
    Room.Status.FREE: {Room.Status.CLEANING, Room.Status.OUT_OF_SERVICE},
    Room.Status.CLEANING: {Room.Status.FREE, Room.Status.OUT_OF_SERVICE},
    Room.Status.OUT_OF_SERVICE: {Room.Status.FREE, Room.Status.CLEANING},
    Room.Status.OCCUPIED: set(),
}


@transaction.atomic
def set_room_status(actor, room: Room, status: str, *, reason: str = "") -> Room:
    """Cleaning done (back to free), out of service, back in service. An occupied room
    changes only with its stays (a release sends it to cleaning)."""
    require(actor, C.WORK_QUARANTINE, C.MANAGE_QUARANTINE_SITES, region=room.region_id)
    if problem := text_error(reason, max_length=500):
        raise ValidationError({"reason": problem})
    if status not in SETTABLE_STATUSES:
        raise ValidationError(
            {"status": _("must be one of: %(k)s") % {"k": ", ".join(SETTABLE_STATUSES)}}
        )
    room = Room.objects.select_for_update(of=("self",)).select_related("site").get(pk=room.pk)
    if room.status == status:
        return room
    if status not in _ALLOWED[room.status]:
        raise ValidationError(
            {
                "status": _(
                    "room %(r)s is occupied: it becomes free for cleaning when its stays end"
                )
                % {"r": room}
            }
        )
    before = room.status
    room.status = status
    room.save(update_fields=["status"])
    if room.site.is_active:
        delta = (status == Room.Status.FREE) - (before == Room.Status.FREE)
        counters.bump("rooms_free", room.region_id, delta)
    note = f"{before} -> {status}" + (f": {reason}" if reason else "")
    audit.record(actor, "quarantine_room.status", room, reason=note)
    return room
