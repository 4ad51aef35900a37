"""Importing an exchange file from another city (CSV, XLSX or JSON): the travellers that
city hands over as bound for ours, every one of them or none.

Columns: document, name, phone, from, risk (overseas, high, medium, low), arrived_at
(ISO 8601; without an offset Beijing time), destination_address, region_code; optional
mode (flight, train, road; default road), trip_number and nationality. A traveller is
keyed by document, day of arrival and where from, so the same file again (or the same
traveller in a second city's file) adds nothing (`already`). Refused whole, each error
with its line, column and reason: a missing or too long value, an unknown risk or mode, an
arrival time that is not a time, in the future or older than the policy's days
(arrival_entry_days), a region that is not one or outside the importer's jurisdiction, a
document twice in the file.
Written like a manifest (core.bulk); persons matched by document get their fact."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, intake
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, chunks, many, naive_utc
from epicommand.core.models import Region
from epicommand.people import lookup
from epicommand.people.imports import RowError, UnreadableFile

from ..models import Arrival, Mode, Risk, Source
from .arrivals import arrival_time_problem, first_stage
from .manifests import (
    ARRIVAL_COLUMNS,
    MAX_LISTED_ERRORS,
    count_rows,
    match_persons,
    read_rows,
)

C = Capability
COLUMNS = (
    "document",
    "name",
    "phone",
    "from",
    "risk",
    "arrived_at",
    "destination_address",
    "region_code",
    "mode",
    "trip_number",
    "nationality",
)
REQUIRED = COLUMNS[:8]
LIMITS = {
    "document": 20,
    "name": 100,
    "phone": 20,
    "from": 60,
    "destination_address": 200,
    "trip_number": 10,
    "nationality": 3,
}
EXCHANGE_COLUMNS = (*ARRIVAL_COLUMNS, "phone", "trip_number")


@dataclass
class ExchangeResult:
    created: int = 0
    already: int = 0  # travellers imported before
    matched: int = 0  # travellers found among the registered persons
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0


def import_exchange(actor, fileobj, filename: str, *, now: datetime | None = None):
    """Port staff or a city or county office import another city's travellers."""
    require(actor, C.WORK_PORT)
    now = now or timezone.now()
    try:
        rows = list(
            read_rows(fileobj, filename, columns=COLUMNS, required=REQUIRED, list_key="travellers")
        )
    except UnreadableFile as exc:
        return ExchangeResult(errors=[RowError(exc.line, "", exc.message)], error_count=1)
    checker = _Checker(actor, now)
    good = checker.check(rows)
    if checker.errors:
        listed = sorted(checker.errors)[:MAX_LISTED_ERRORS]
        return ExchangeResult(errors=listed, error_count=len(checker.errors))
    good, already = _not_stored(good)
    with transaction.atomic():
        created = (
            bulk_insert(Arrival._meta.db_table, EXCHANGE_COLUMNS, good, skip_existing="key")
            if good
            else 0
        )
        matched = match_persons([row[0] for row in good], now) if created else 0
        count_rows(good, created)
        audit.record(
            actor,
            "arrival.import_exchange",
            object_type="inbound.arrival",
            object_id="",
            region_code=checker.region,
            reason=f"{created} from {filename}",
        )
    return ExchangeResult(created=created, already=already + len(good) - created, matched=matched)


def _not_stored(rows: list[tuple]) -> tuple[list[tuple], int]:
    stored = set()
    for chunk in chunks([row[0] for row in rows]):
        stored |= set(
            Arrival.objects.filter(key__in=many(chunk, "text")).values_list("key", flat=True)
        )
    return [row for row in rows if row[0] not in stored], len(stored)


class _Checker:
    """Turns an exchange file's travellers into arrival rows, collecting what is wrong."""

    def __init__(self, actor, now: datetime):
        self.actor, self.now = actor, now
        self.errors: list[RowError] = []
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.seen: dict[str, int] = {}  # document -> first line
        self.region = getattr(actor, "scope_region_id", None) or getattr(actor, "region_id", None)

    def error(self, line, column, message):
        self.errors.append(RowError(line, column, message))

    def check(self, rows) -> list[tuple]:
        good = [row for row in (self._row(line, cells) for line, cells in rows) if row]
        if not rows:
            self.error(2, "", _("the file has no travellers"))
        return good

    def _row(self, line: int, cells: dict) -> tuple | None:
        before = len(self.errors)
        values = {c: (cells.get(c) or "").strip() for c in COLUMNS}
        for column in REQUIRED:
            if not values[column]:
                self.error(line, column, _("is required"))
        for column, limit in LIMITS.items():
            if len(values[column]) > limit:
                self.error(line, column, _("is longer than %(n)d characters") % {"n": limit})
        risk, mode = values["risk"].lower(), values["mode"].lower() or Mode.ROAD
        if values["risk"] and risk not in Risk.values:
            self.error(line, "risk", _("must be one of: %(v)s") % {"v": ", ".join(Risk.values)})
        if mode not in Mode.values:
            self.error(line, "mode", _("must be one of: %(v)s") % {"v": ", ".join(Mode.values)})
        self._region(line, values["region_code"])
        arrived_at = self._time(line, values["arrived_at"])
        document = lookup.normalised(values["document"])
        if document in self.seen:
            self.error(
                line,
                "document",
                _("is already on line %(n)d of the file") % {"n": self.seen[document]},
            )
        self.seen.setdefault(document, line)
        if len(self.errors) > before:
            return None
        day = timezone.localdate(arrived_at)
        at = naive_utc(arrived_at)
        return (
            f"exchange:{document}:{day:%Y%m%d}:{values['from']}"[:100],
            Source.EXCHANGE,
            mode,
            None,
            "",
            False,
            document,
            values["name"],
            values["nationality"].upper(),
            values["from"],
            risk,
            values["destination_address"],
            values["region_code"],
            at,
            first_stage(risk),
            at,
            getattr(self.actor, "unit_id", None),
            naive_utc(self.now),
            values["phone"],
            values["trip_number"].upper().replace(" ", ""),
        )

    def _region(self, line: int, code: str) -> None:
        if code and code not in self.regions:
            self.error(line, "region_code", _("is not a region code"))
        elif code and not covers(self.actor, code):
            self.error(line, "region_code", _("is outside your jurisdiction"))

    def _time(self, line: int, text: str) -> datetime | None:
        if not text:
            return None
        at = intake.parse_time(text)
        if at is None:
            self.error(line, "arrived_at", _("is not a date and time (ISO 8601)"))
        elif problem := arrival_time_problem(at, self.now):
            self.error(line, "arrived_at", problem)
        else:
            return at
        return None
