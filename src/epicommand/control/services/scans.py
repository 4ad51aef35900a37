"""Place-code scans: a person at a venue, at a time, with the colour their code showed.

`record_scan` records one scan: the resident's own check-in on the poster page.
`record_scans` records a device's batch of up to 5,000: validated whole (any bad item and
nothing is written, every error named `items[3].field`), then written in one bulk insert
(COPY on PostgreSQL) that skips client ids already stored, so a replayed batch adds nothing
and says so per item.

A scan is stored in the person's region of residence whoever scanned it: a venue sees
visitors from everywhere, and the person's district is the one that traces them.

A scan at a venue inside a medium- or high-risk area in force is a visit to that area, a
health-code fact keyed by `levels.visit_key`: one per person, area and day, dated by the
latest visit of the batch (or check-in) that reports it, so a later day's visit starts the
red period again (services.risk keys the visits made before the designation the same way).
A visit counts if it was made at most the policy's `risk_visit_window_days` before the
area came into force (as the designation counts earlier scans), and a person who lives
in the area is not its visitor: their own fact is the resident's one.
"""

import hmac
from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, policy
from epicommand.core.bulk import bulk_insert, chunks, many, naive_utc
from epicommand.people import lookup
from epicommand.people.models import Person
from epicommand.places.codes import InvalidPlaceCode, place_code, resolve_place_code
from epicommand.places.models import Venue

from .. import codes as health_codes
from ..levels import LevelMap, levels_in_force, visit_key
from ..models import FactKind, RiskArea, RiskLevel, Scan, ScanMethod
from . import healthcode

MAX_BATCH = 5000
# Devices' clocks drift: a scan this far ahead of the platform's clock is still "now".
CLOCK_SKEW = timedelta(minutes=5)
# Older scans are refused: tracing looks back 14 days, and a month-old upload is a fault.
MAX_AGE = timedelta(days=30)
CLIENT_ID_LENGTH = 64
VISIT_KINDS = {
    RiskLevel.HIGH: FactKind.HIGH_RISK_VISIT,
    RiskLevel.MEDIUM: FactKind.MEDIUM_RISK_VISIT,
}
COLUMNS = (
    "client_id",
    "person_id",
    "venue_id",
    "region_id",
    "scanned_at",
    "colour",
    "method",
    "recorded_at",
)
RECORDED, ALREADY_RECORDED = "recorded", "already_recorded"
METHODS = frozenset(ScanMethod.values)
IDENTITY_FIELDS = ("id_number", "passport_number", "health_code")


# One scan ---------------------------------------------------------------------------------


def record_scan(
    actor,
    person: Person,
    venue: Venue,
    *,
    at: datetime | None = None,
    method: str,
    client_id: str | None = None,
) -> Scan:
    """One scan with the colour the person's code shows now. Given a client id already
    stored, returns that scan and changes nothing. `actor` is the user or device that
    recorded it, None for the resident's own check-in."""
    now = timezone.now()
    at = at or now
    if method not in METHODS:
        raise ValidationError({"method": _("must be one of %(m)s") % {"m": _choices()}})
    if problem := _time_problem(at, now):
        raise ValidationError({"scanned_at": problem})
    client_id = client_id or f"{method}-{uuid4().hex}"
    if not 0 < len(client_id) <= CLIENT_ID_LENGTH:
        raise ValidationError({"client_id": _("must be 1 to 64 characters")})
    with transaction.atomic():
        stored = Scan.objects.filter(client_id=client_id).first()
        if stored is not None:
            return stored
        colour = healthcode.colours_of([person.pk])[person.pk]
        scan = Scan.objects.create(
            client_id=client_id,
            person=person,
            venue=venue,
            region_id=person.region_id,
            scanned_at=at,
            colour=colour,
            method=method,
            recorded_at=now,
        )
        counters.bump("scans", person.region_id, day=timezone.localdate(at))
        _record_visits([_Visit(person.pk, person.region_id, venue, at)], levels_in_force(), now)
        audit.record(
            actor,
            "scan.record",
            scan,
            region_code=person.region_id,
            reason=_("%(method)s at %(venue)s")
            % {"method": scan.get_method_display(), "venue": venue.name},
        )
    return scan


# A batch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    index: int | None  # None: the batch as a whole
    field: str  # the item's key; "" for the item as a whole
    message: str

    @property
    def path(self) -> str:
        if self.index is None:
            return "items"
        where = f"items[{self.index}]"
        return f"{where}.{self.field}" if self.field else where


class ScanBatchInvalid(Exception):
    """The batch was refused whole: nothing of it was written."""

    def __init__(self, errors: list[ItemError], detail: str = ""):
        self.errors = errors
        invalid = len({e.index for e in errors})
        self.detail = detail or _(
            "%(n)d of the batch's items are not valid; nothing was recorded"
        ) % {"n": invalid}
        super().__init__(self.detail)


@dataclass(frozen=True)
class ItemOutcome:
    client_id: str
    status: str  # RECORDED or ALREADY_RECORDED


@dataclass(frozen=True)
class BatchResult:
    items: list[ItemOutcome]
    recorded: int
    already_recorded: int


@dataclass(frozen=True)
class _Item:
    """An item that passed validation, with what it resolved to."""

    client_id: str
    person_id: int
    region_id: str
    venue: Venue
    scanned_at: datetime
    method: str


@dataclass(frozen=True)
class _Visit:
    person_id: int
    region_id: str
    venue: Venue
    at: datetime


def record_scans(actor, items: Iterable[Mapping], *, now: datetime | None = None) -> BatchResult:
    """Record a device's batch. Each item is a mapping with `client_id`, `place_code`, one
    of `id_number`, `passport_number` (with `nationality` when several countries issued
    it) or `health_code` (a QR token), `scanned_at` (aware datetime or ISO 8601 text; a
    time without offset is Asia/Shanghai time) and `method` (default "device").

    Raises ScanBatchInvalid with every error if any item is bad; otherwise writes the new
    items in one bulk insert, counts them on the county's counters of the scan's day,
    records the risk-area visits they make, and writes one audit event."""
    now = now or timezone.now()
    items = list(items)
    if len(items) > MAX_BATCH:
        raise ScanBatchInvalid(
            [ItemError(None, "", _("a batch holds at most %(n)d items") % {"n": MAX_BATCH})],
            _("a batch holds at most %(n)d items; send the rest in another") % {"n": MAX_BATCH},
        )
    valid = _validate(items, now)
    # Rows this request inserts carry this stamp (a fresh one, not `now`): it tells them
    # from rows of an earlier send of the same client ids when some of those exist.
    stamp = timezone.now()
    recorded_at = naive_utc(stamp)
    with transaction.atomic():
        colours = healthcode.colours_of({item.person_id for item in valid})
        rows = (
            (
                item.client_id,
                item.person_id,
                item.venue.pk,
                item.region_id,
                naive_utc(item.scanned_at),
                colours[item.person_id],
                item.method,
                recorded_at,
            )
            for item in valid
        )
        # No look-up first: a new batch, the common case, is one insert. Client ids
        # already stored are skipped by the insert (and on PostgreSQL a concurrent retry
        # of the same batch waits for this one's commit, then skips them too).
        inserted = bulk_insert(Scan._meta.db_table, COLUMNS, rows, skip_existing="client_id")
        new, stored = valid, set()
        if inserted != len(valid):
            mine = _client_ids_stamped([i.client_id for i in valid], stamp)
            new = [item for item in valid if item.client_id in mine]
            stored = {item.client_id for item in valid} - mine
        _count_scans(Tally((i.region_id, timezone.localdate(i.scanned_at)) for i in new))
        visits = [_Visit(i.person_id, i.region_id, i.venue, i.scanned_at) for i in new]
        _record_visits(visits, levels_in_force(), now)
        audit.record(
            actor,
            "scan.record_batch",
            object_type="control.scan",
            object_id="",
            region_code=_region_of(actor),
            reason=_("%(new)d recorded, %(old)d already recorded, of %(n)d items")
            % {"new": len(new), "old": len(valid) - len(new), "n": len(valid)},
        )
    outcomes = [
        ItemOutcome(i.client_id, ALREADY_RECORDED if i.client_id in stored else RECORDED)
        for i in valid
    ]
    return BatchResult(outcomes, len(new), len(valid) - len(new))


def _validate(items: list, now: datetime) -> list[_Item]:
    """Every item checked, every error collected. No query per item: one for the venues
    the place codes name, and one per chunk of ID numbers (passports, health codes)."""
    errors: list[ItemError] = []
    parsed: list[dict] = []
    seen_ids: dict[str, int] = {}
    for index, item in enumerate(items):
        fields, problems = _parse_item(index, item, now)
        errors += problems
        client_id = fields.get("client_id")
        if client_id is not None:
            if client_id in seen_ids:
                errors.append(
                    ItemError(
                        index,
                        "client_id",
                        _("repeats the client id of items[%(i)d]") % {"i": seen_ids[client_id]},
                    )
                )
            else:
                seen_ids[client_id] = index
        parsed.append(fields)

    venues = _resolve_place_codes({f["place_code"] for f in parsed if "place_code" in f})
    persons = _resolve_persons(parsed)
    valid = []
    for index, fields in enumerate(parsed):
        venue = venues.get(fields.get("place_code"))
        if "place_code" in fields and venue is None:
            errors.append(ItemError(index, "place_code", _("unknown or revoked place code")))
        person = None
        if "identity" in fields:
            field, value = fields["identity"]
            person = persons.get((field, value))
            if isinstance(person, str):  # a lookup that found no single person
                errors.append(ItemError(index, field, person))
                person = None
        if fields.keys() >= _COMPLETE and venue is not None and person is not None:
            valid.append(
                _Item(
                    fields["client_id"],
                    person[0],
                    person[1],
                    venue,
                    fields["scanned_at"],
                    fields["method"],
                )
            )
    if errors:
        errors.sort(key=lambda e: (e.index or 0, _FIELD_ORDER.get(e.field, 0)))
        raise ScanBatchInvalid(errors)
    return valid


# Errors of one item are listed in the order its fields are documented.
_FIELD_ORDER = {
    name: n
    for n, name in enumerate(
        ("", "client_id", "place_code", *IDENTITY_FIELDS, "nationality", "scanned_at", "method")
    )
}
# The keys a fully parsed item holds.
_COMPLETE = frozenset(("client_id", "place_code", "identity", "scanned_at", "method"))


def _parse_item(index: int, item, now: datetime) -> tuple[dict, list[ItemError]]:
    """Types, lengths and times of one item; what parsed, and what did not."""
    if not isinstance(item, Mapping):
        return {}, [ItemError(index, "", _("must be an object"))]
    fields, errors = {}, []

    def text(key: str, max_length: int, *, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None or value == "":
            if required:
                errors.append(ItemError(index, key, _("is required")))
            return None
        if not isinstance(value, str):
            errors.append(ItemError(index, key, _("must be text")))
            return None
        value = value.strip()
        if "\x00" in value:
            errors.append(ItemError(index, key, _("contains a NUL character")))
            return None
        if not value or len(value) > max_length:
            errors.append(
                ItemError(index, key, _("must be 1 to %(n)d characters") % {"n": max_length})
            )
            return None
        return value

    if (client_id := text("client_id", CLIENT_ID_LENGTH)) is not None:
        fields["client_id"] = client_id
    if (token := text("place_code", 200)) is not None:
        fields["place_code"] = token

    given = [key for key in IDENTITY_FIELDS if item.get(key) not in (None, "")]
    if len(given) != 1:
        errors.append(
            ItemError(
                index,
                given[1] if len(given) > 1 else "id_number",
                _("give exactly one of id_number, passport_number or health_code"),
            )
        )
    else:
        key = given[0]
        value = text(key, {"id_number": 18, "passport_number": 20, "health_code": 200}[key])
        if value is not None:
            if key == "passport_number":
                nationality = text("nationality", 3, required=False)
                nationality = nationality.upper() if nationality else None
                fields["identity"] = (key, (value.upper(), nationality))
            else:
                fields["identity"] = (key, value.upper() if key == "id_number" else value)

    scanned_at = _parse_time(item.get("scanned_at"))
    if scanned_at is None:
        errors.append(
            ItemError(index, "scanned_at", _("is required, as an ISO 8601 date and time"))
        )
    elif problem := _time_problem(scanned_at, now):
        errors.append(ItemError(index, "scanned_at", problem))
    else:
        fields["scanned_at"] = scanned_at

    method = item.get("method") or ScanMethod.DEVICE
    if isinstance(method, str) and method in METHODS:
        fields["method"] = method
    else:
        errors.append(ItemError(index, "method", _("must be one of %(m)s") % {"m": _choices()}))

    if fields.get("identity", ("",))[0] == "health_code" and "scanned_at" in fields:
        # The code must have been valid when shown: an offline device uploads later.
        try:
            shown = health_codes.verify(
                fields["identity"][1], fields["scanned_at"], check_revoked=False
            )
        except health_codes.InvalidHealthCode as exc:
            errors.append(ItemError(index, "health_code", exc.message))
            del fields["identity"]
        else:
            if shown.issued_at > fields["scanned_at"] + CLOCK_SKEW:
                errors.append(
                    ItemError(index, "health_code", _("was issued after the time of the scan"))
                )
                del fields["identity"]
            else:
                fields["identity"] = ("health_code", shown.person_id)
    elif fields.get("identity", ("",))[0] == "health_code":
        del fields["identity"]  # cannot be checked without the time it was shown
    return fields, errors


def _parse_time(value) -> datetime | None:
    if isinstance(value, str) and len(value) <= 40:
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # Asia/Shanghai, the platform's time
    return value


def _time_problem(at: datetime, now: datetime) -> str | None:
    if at > now + CLOCK_SKEW:
        return _("is in the future")
    if at < now - MAX_AGE:
        return _("is more than 30 days ago")
    return None


def _choices() -> str:
    return ", ".join(ScanMethod.values)


def _resolve_place_codes(tokens: set[str]) -> dict[str, Venue]:
    """{token: venue} of the valid codes. A code names its venue before its signature
    ("<venue id>.<nonce>:<signature>"), so the venues named are read in one query, and a
    code is valid when it is exactly the code its venue's poster carries now: signed with
    the platform's key over the current nonce. Any other code is put to
    places.codes.resolve_place_code, the authority (which also knows old signing keys);
    a forged one fails there on its signature, before any query."""
    named = {}
    for token in tokens:
        head = token.split(".", 1)[0]
        if head.isdigit() and len(head) <= 18:
            named[token] = int(head)
    venues = Venue.objects.only("pk", "name", "region_id", "code_nonce").in_bulk(
        set(named.values())
    )
    found = {}
    for token in tokens:
        venue = venues.get(named.get(token))
        if venue is not None and hmac.compare_digest(place_code(venue), token):
            found[token] = venue
            continue
        try:
            found[token] = resolve_place_code(token)
        except InvalidPlaceCode:
            continue
    return found


def _resolve_persons(parsed: list[dict]) -> dict[tuple, tuple[int, str] | str]:
    """{(field, value): (person id, region) or the reason no single person matched}, in
    one query per chunk of ID numbers, of passport numbers and of health-code persons."""
    wanted: dict[str, set] = {key: set() for key in IDENTITY_FIELDS}
    for fields in parsed:
        if "identity" in fields:
            wanted[fields["identity"][0]].add(fields["identity"][1])
    found: dict[tuple, tuple[int, str] | str] = {}
    for chunk in chunks(wanted["id_number"]):
        rows = lookup.holders_anywhere(
            "id_number", many(chunk, "text"), purpose=lookup.Purpose.VENUE_SCAN
        ).values_list("id_number", "pk", "region_id")
        for id_number, pk, region in rows:
            found["id_number", id_number] = (pk, region)
    unknown = _("no person holds this ID number")
    for id_number in wanted["id_number"]:
        found.setdefault(("id_number", id_number), unknown)
    for chunk in chunks(wanted["health_code"]):
        rows = Person.objects.filter(id__in=many(chunk)).values_list("pk", "region_id")
        for pk, region in rows:
            found["health_code", pk] = (pk, region)
    unregistered = _("the person of this health code is not registered")
    for pk in wanted["health_code"]:
        found.setdefault(("health_code", pk), unregistered)
    holders: dict[str, list[tuple[str, int, str]]] = {}
    numbers = {number for number, _nationality in wanted["passport_number"]}
    for chunk in chunks(numbers):
        rows = lookup.holders_anywhere(
            "passport_number", many(chunk, "text"), purpose=lookup.Purpose.VENUE_SCAN
        ).values_list("passport_number", "nationality", "pk", "region_id")
        for number, nationality, pk, region in rows:
            holders.setdefault(number, []).append((nationality, pk, region))
    for number, nationality in wanted["passport_number"]:
        matches = [h for h in holders.get(number, ()) if nationality in (None, h[0])]
        if len(matches) == 1:
            found["passport_number", (number, nationality)] = matches[0][1:]
        elif not matches:
            found["passport_number", (number, nationality)] = _(
                "no person holds this passport number"
            )
        else:
            found["passport_number", (number, nationality)] = _(
                "several persons hold this passport number: give their nationality"
            )
    return found


def _client_ids_stamped(client_ids: list[str], recorded_at: datetime) -> set[str]:
    """Which of these client ids are stored with this recording time."""
    stored = set()
    for chunk in chunks(client_ids):
        rows = Scan.objects.filter(recorded_at=recorded_at, client_id__in=many(chunk, "text"))
        stored |= set(rows.values_list("client_id", flat=True))
    return stored


# Counters --------------------------------------------------------------------------------


def _count_scans(scans: Tally) -> None:
    """{(person's region, local day): scans} onto the "scans" counters in one upsert."""
    counters.add_flows("scans", dict(scans))


# Risk-area visits -------------------------------------------------------------------------


def _record_visits(visits: list[_Visit], levels: LevelMap, now: datetime) -> None:
    """A visit fact for each person at a venue inside a medium- or high-risk area, the
    latest visit of the batch per person and area; keys already stored change nothing."""
    if not levels.levels:
        return  # no area in force: the common case, and no query
    latest: dict[tuple[str, int, int], _Visit] = {}
    for visit in visits:
        kind = VISIT_KINDS.get(levels.level_of(visit.venue.region_id))
        if kind is None:
            continue
        area = levels.area_of(visit.venue.region_id)
        if area is None or levels.area_of(visit.region_id) == area:
            continue  # the person lives in the area: a resident, not a visitor
        key = (kind, area, visit.person_id)
        if key not in latest or visit.at > latest[key].at:
            latest[key] = visit
    if not latest:
        return
    areas = {
        pk: (in_force_from, name)
        for pk, in_force_from, name in RiskArea.objects.filter(
            pk__in={area for _kind, area, _person in latest}
        ).values_list("pk", "in_force_from", "name")
    }
    window = timedelta(days=policy.active().risk_visit_window_days)
    facts = []
    for (kind, area, person_id), visit in latest.items():
        in_force_from, name = areas.get(area, (None, ""))
        if in_force_from is not None and visit.at < in_force_from - window:
            continue  # long before the area was designated: not a visit to a risk area
        facts.append(
            healthcode.NewFact(
                person_id=person_id,
                region_id=visit.region_id,
                kind=kind,
                started_at=visit.at,
                ended_at=visit.at,
                source=f"place-code scan, risk area {area}",
                source_key=visit_key(area, person_id, visit.at),
                detail=f"{visit.venue.name} ({name})"[:200],
            )
        )
    if facts:
        healthcode.record_facts(facts, now=now)


# Helpers ------------------------------------------------------------------------------------


def _region_of(actor) -> str | None:
    """Where a batch's audit event is filed: the scope region of the device or user."""
    if actor is None:
        return None
    return getattr(actor, "region_id", None) or getattr(actor, "scope_region_id", None)


def note_scans_viewed(actor, person: Person, *, channel: str = "web") -> None:
    """A user saw where an identified person has been: as much a view of their record as
    the person page, so audited the same way."""
    audit.record(actor, "scan.view_person", person, reason=channel)
