"""The one intake of device and lab batches (DESIGN rule 10): scans, checkpoint passages,
samples, quarantine stays and lab results all arrive through `run`.

The intake owns what every batch shares:

- the size: 1 to MAX_ITEMS items, more is refused whole;
- the client id of each item (1 to 64 letters, digits or . _ : -), unique in the batch;
- the replay check: an item whose client id the app has stored already changes nothing
  and is reported `replayed` with what was stored;
- the device-time rule (`device_time`): naive means Beijing time, aware is converted to
  UTC, too far in the future or too old is refused, the limits from core.policy;
- validation of the whole batch before anything is written: every bad item is named as
  `items[3].scanned_at`, and one bad item refuses the batch (BatchRefused), so the good
  ones are never half-written; a good batch is written in one transaction;
- one result shape (BatchResult): accepted, replayed and rejected with their counts,
  the errors, and one outcome per item in the batch's order.

An app supplies a BatchApp: `parse` (one payload item to a typed row, no queries),
`resolve` (the look-ups of the whole batch, one query per chunk), `write` (the rows to
the database, its bulk/COPY paths and audit event; returns each row's outcome) and
`seen` (the outcomes of client ids stored before). core imports no other app."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import policy

MAX_ITEMS = 5000
CLIENT_ID_LENGTH = 64
ACCEPTED, REPLAYED = "accepted", "replayed"
# A device's clock without a zone is a clock in the city: Beijing time has no daylight
# saving, so every naive time names exactly one instant.
BEIJING = ZoneInfo("Asia/Shanghai")
_CLIENT_ID_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"
)
# What `seen` answers for a client id stored under another jurisdiction: the item is
# refused rather than shown someone else's record.
CLIENT_ID_TAKEN = object()


# Errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    index: int | None  # None: the batch as a whole
    field: str  # the item's key; "" for the item as a whole
    reason: str

    @property
    def path(self) -> str:
        """`items[3].scanned_at`, `items[3]`, or the batch's own field (`items`)."""
        if self.index is None:
            return self.field or "items"
        where = f"items[{self.index}]"
        return f"{where}.{self.field}" if self.field else where


class ItemErrors:
    """The errors of one batch, collected as the items are checked."""

    def __init__(self, field_order: tuple[str, ...] = ()):
        self._errors: list[ItemError] = []
        self._bad: set[int | None] = set()
        self._fields: set[tuple[int | None, str]] = set()
        self._rank = {name: n for n, name in enumerate(("", "client_id", *field_order))}

    def add(self, index: int | None, field_name: str, reason: str) -> None:
        self._errors.append(ItemError(index, field_name, reason))
        self._bad.add(index)
        self._fields.add((index, field_name))

    def of(self, index: int, field_name: str | None = None) -> bool:
        """Whether this item (or this field of it) has an error."""
        if field_name is not None:
            return (index, field_name) in self._fields
        return index in self._bad

    def __bool__(self) -> bool:
        return bool(self._errors)

    @property
    def rejected(self) -> int:
        """Items with at least one error."""
        return len(self._bad - {None})

    def in_order(self) -> list[ItemError]:
        """The batch's errors first, then by item, each item's in its documented field order."""
        last = len(self._rank)
        return sorted(
            self._errors,
            key=lambda e: (-1 if e.index is None else e.index, self._rank.get(e.field, last)),
        )


class BatchRefused(ValidationError):
    """The batch was refused whole: nothing of it was written. A ValidationError whose
    fields are the errors' paths, so forms and callers that catch those read it alike."""

    def __init__(self, errors: ItemErrors, *, replayed: int = 0, detail: str = ""):
        self.errors = errors.in_order()
        self.rejected = errors.rejected
        self.replayed = replayed
        self.detail = detail or _(
            "%(n)d of the batch's items are not valid; nothing was recorded"
        ) % {"n": self.rejected}
        by_path: dict[str, list[str]] = {}
        for error in self.errors:
            by_path.setdefault(error.path, []).append(error.reason)
        super().__init__(by_path)


# Results -----------------------------------------------------------------------------------


@dataclass
class Written:
    """What a writer did: one outcome per row in the rows' order (a dict of the app's
    fields; `status` REPLAYED where a concurrent retry stored the item first), and the
    batch's own figures (tubes closed, persons released)."""

    outcomes: list[dict]
    figures: dict = field(default_factory=dict)


@dataclass
class BatchResult:
    """One outcome per item in the batch's order: its client id, ACCEPTED or REPLAYED,
    and the app's fields."""

    items: list[dict]
    figures: dict = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return sum(item["status"] == ACCEPTED for item in self.items)

    @property
    def replayed(self) -> int:
        return sum(item["status"] == REPLAYED for item in self.items)

    def body(self) -> dict:
        """The answer's JSON: the counts, no errors (a batch with errors is refused)."""
        return {
            "accepted": self.accepted,
            "replayed": self.replayed,
            "rejected": 0,
            "errors": [],
            **self.figures,
            "items": self.items,
        }


# The app's part ----------------------------------------------------------------------------


class BatchApp:
    """What an app supplies. `fields` lists the item's keys in their documented order
    (errors of one item are listed in it); `now` is the request's time."""

    fields: tuple[str, ...] = ()
    max_items: int = MAX_ITEMS

    def __init__(self, now: datetime):
        self.now = now

    def seen(self, client_ids: list[str]) -> dict[str, dict]:
        """{client id: the stored item's outcome fields} of the ids stored before (or
        CLIENT_ID_TAKEN); one query per chunk."""
        return {}

    def parse(self, index: int, client_id: str, item: Mapping, errors: ItemErrors):
        """One item to a typed row, or None. No queries. A row may come with errors of
        its item, and then holds what did parse, so that `resolve` still names the
        look-ups that fail (one answer lists every error of the batch)."""
        raise NotImplementedError

    def resolve(self, rows: list, errors: ItemErrors) -> None:
        """Look-ups of the whole batch (persons, venues, tubes), in the transaction; rows
        of items with errors are among them (see `parse`)."""

    def write(self, rows: list, replayed: int) -> Written:
        """The rows written (and audited), in the transaction; called even when every
        item is a replay, with no rows, so that the app may audit the replay."""
        raise NotImplementedError


def run(app: BatchApp, items) -> BatchResult:
    """Check the whole batch, then write it in one transaction, or raise BatchRefused."""
    errors = ItemErrors(app.fields)
    if not isinstance(items, list | tuple) or not items:
        errors.add(None, "items", _("send a list of 1 to %(n)d items") % {"n": app.max_items})
        raise BatchRefused(errors)
    if len(items) > app.max_items:
        limit = {"n": app.max_items}
        errors.add(None, "items", _("a batch holds at most %(n)d items") % limit)
        raise BatchRefused(
            errors, detail=_("a batch holds at most %(n)d items; send the rest in another") % limit
        )
    client_ids = _client_ids(items, errors)
    stored = app.seen([cid for cid in client_ids if cid]) if any(client_ids) else {}
    rows, indexes = [], []
    for index, item in enumerate(items):
        cid = client_ids[index]
        if stored.get(cid) is CLIENT_ID_TAKEN:
            errors.add(index, "client_id", _("is already used"))
        elif cid in stored or not isinstance(item, Mapping):
            continue
        elif (row := app.parse(index, cid, item, errors)) is not None:
            rows.append(row)
            indexes.append(index)
    replays = [n for n, cid in enumerate(client_ids) if cid in stored]
    try:
        # Bulk writes use the driver's cursor: its errors become Django's here.
        with connection.wrap_database_errors, transaction.atomic():
            app.resolve(rows, errors)
            if errors:
                raise BatchRefused(errors, replayed=len(replays))
            written = app.write(rows, len(replays))
    except IntegrityError:
        # Another request stored some of these items between our checks and our write:
        # nothing of this batch was kept, and sending it again sorts it out.
        errors.add(None, "items", _("another device sent some of these items at once; send again"))
        raise BatchRefused(errors) from None
    outcomes = dict(zip(indexes, written.outcomes, strict=True))
    answer = []
    for index, cid in enumerate(client_ids):
        if index in outcomes:
            answer.append({"client_id": cid, "status": ACCEPTED, **outcomes[index]})
        else:
            answer.append({"client_id": cid, "status": REPLAYED, **stored[cid]})
    return BatchResult(answer, written.figures)


def _client_ids(items, errors: ItemErrors) -> list[str]:
    """Each item's client id ("" where it is missing, malformed or repeated)."""
    first: dict[str, int] = {}
    ids = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors.add(index, "", _("must be an object"))
            ids.append("")
            continue
        cid = item.get("client_id")
        cid = cid.strip() if isinstance(cid, str) else cid
        if cid is None or cid == "":
            errors.add(index, "client_id", _("is required"))
            cid = ""
        elif not isinstance(cid, str):
            errors.add(index, "client_id", _("must be text"))
            cid = ""
        elif len(cid) > CLIENT_ID_LENGTH or not _CLIENT_ID_CHARACTERS.issuperset(cid):
            errors.add(index, "client_id", _("must be 1 to 64 letters, digits or . _ : -"))
            cid = ""
        elif cid in first:
            errors.add(
                index,
                "client_id",
                _("repeats the client id of items[%(i)d]") % {"i": first[cid]},
            )
            cid = ""
        else:
            first[cid] = index
        ids.append(cid)
    return ids


# Device time -------------------------------------------------------------------------------


def parse_time(value) -> datetime | None:
    """An ISO 8601 text (or a datetime) as an aware UTC datetime: without an offset it
    is Beijing time. None if it is no date and time or lies outside the calendar."""
    if isinstance(value, str):
        if len(value) > 40:
            return None
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            # What people type into a lab's sheet: "2021-01-12 8:30".
            try:
                value = parse_datetime(value.strip())
            except ValueError:
                return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return None


def time_problem(
    at: datetime, now: datetime, *, ahead: timedelta | None = None, max_age: timedelta | None = None
) -> str | None:
    """Why a device's time is refused, or None. A clock a few minutes fast is a clock,
    not a lie (the policy's skew); older than the policy's age is a fault. An app may
    allow a planned time further ahead, or ask for a stricter age."""
    edition = policy.active()
    ahead = ahead if ahead is not None else timedelta(minutes=edition.device_clock_skew_minutes)
    max_age = max_age if max_age is not None else timedelta(days=edition.device_max_age_days)
    if at > now + ahead:
        return _("is in the future")
    if at < now - max_age:
        return _("is more than %(n)d days ago") % {"n": max_age.days}
    return None


def device_time(
    errors: ItemErrors,
    index: int,
    field_name: str,
    value,
    now: datetime,
    *,
    default: datetime | None = None,
    ahead: timedelta | None = None,
    max_age: timedelta | None = None,
) -> datetime | None:
    """An item's time by the one rule, or None with the error added. Absent (None or
    "") is `default`, or an error when there is no default."""
    if value is None or value == "":
        if default is None:
            errors.add(index, field_name, _("is required, as an ISO 8601 date and time"))
        return default
    at = parse_time(value)
    if at is None:
        errors.add(index, field_name, _("is not a date and time (ISO 8601)"))
    elif problem := time_problem(at, now, ahead=ahead, max_age=max_age):
        errors.add(index, field_name, problem)
        return None
    return at
