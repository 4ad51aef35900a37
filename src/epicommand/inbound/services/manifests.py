"""Importing a flight manifest (CSV, XLSX or JSON): every passenger of the file, or none.

Columns: flight_number, date, airline, origin, seat, document, name, nationality,
destination_address, region_code, and optionally crew (yes/no) and risk (overseas by
default). A row is keyed by flight, date and document, so importing the same manifest
again adds nothing (`already` counts those rows). Refused with line, field and reason: a
seat or document twice on one flight, a flight not registered for that day or whose
airline or origin differ, an arrival date in the future, an unknown region, a seat of the
flight already held by another document. The rows are checked in Python against what is
stored for the file's flights, then written in one bulk insert (core.bulk: COPY on
PostgreSQL); persons are matched by document afterwards and given their health-code fact."""

import json
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.services import healthcode
from epicommand.core import audit, counters, policy, uploads
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.core.models import Region
from epicommand.people import lookup
from epicommand.people.imports import RowError, UnreadableFile, read_table

from ..models import Arrival, Flight, Risk, Stage
from .arrivals import FACT_OF_RISK, first_stage

C = Capability
COLUMNS = (
    "flight_number",
    "date",
    "airline",
    "origin",
    "seat",
    "document",
    "name",
    "nationality",
    "destination_address",
    "region_code",
    "crew",
    "risk",
)
REQUIRED = COLUMNS[:10]
MAX_LISTED_ERRORS = 1000
LIMITS = {"seat": 6, "document": 20, "name": 100, "nationality": 3, "destination_address": 200}
ARRIVAL_COLUMNS = (
    "key",
    "source",
    "mode",
    "flight_id",
    "seat",
    "is_crew",
    "document",
    "name",
    "nationality",
    "origin",
    "risk",
    "destination_address",
    "region_id",
    "arrived_at",
    "stage",
    "stage_at",
    "port_unit_id",
    "created_at",
)


@dataclass
class ManifestResult:
    created: int = 0
    already: int = 0  # rows imported before (same flight, date and document)
    matched: int = 0  # travellers found among the registered persons
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0


def import_manifest(
    actor, fileobj, filename: str, *, now: datetime | None = None
) -> ManifestResult:
    require(actor, C.WORK_PORT)
    now = now or timezone.now()
    try:
        rows = list(_read(fileobj, filename))
    except UnreadableFile as exc:
        return ManifestResult(errors=[RowError(exc.line, "", exc.message)], error_count=1)
    checker = _Checker(actor, now)
    good = checker.check(rows)
    if checker.errors:
        listed = sorted(checker.errors)[:MAX_LISTED_ERRORS]
        return ManifestResult(errors=listed, error_count=len(checker.errors))
    with transaction.atomic():
        created = (
            bulk_insert(Arrival._meta.db_table, ARRIVAL_COLUMNS, good, skip_existing="key")
            if good
            else 0
        )
        matched = match_persons([row[0] for row in good], now) if created else 0
        count_rows(good, created)
        audit.record(
            actor,
            "arrival.import_manifest",
            object_type="inbound.arrival",
            object_id="",
            region_code=checker.region,
            reason=f"{created} from {filename}",
        )
    return ManifestResult(
        created=created, already=checker.already + len(good) - created, matched=matched
    )


def _read(fileobj, filename: str):
    """(line, {column: text}) for every passenger."""
    return read_rows(fileobj, filename, columns=COLUMNS, required=REQUIRED)


def read_rows(fileobj, filename: str, *, columns, required, list_key: str = "passengers"):
    """(line, {column: text}) for every row of a CSV, XLSX or JSON file of travellers
    (a manifest's passengers, an exchange file's travellers)."""
    if filename.lower().endswith(".json"):
        try:  # read whole: bounded by the policy's upload size (core.uploads)
            uploads.check_file(fileobj, filename)
        except uploads.Refused as refused:
            raise UnreadableFile(refused.line, refused.message) from None
        yield from _read_json(fileobj, list_key)
        return
    with closing(read_table(fileobj, filename)) as table:
        header = [c.strip().lower() for c in next(table, (1, []))[1]]
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c and c not in columns]
        if missing or unknown:
            raise UnreadableFile(
                1,
                _("the header must name the columns %(c)s (missing: %(m)s; unknown: %(u)s)")
                % {
                    "c": ", ".join(columns),
                    "m": ", ".join(missing) or "-",
                    "u": ", ".join(unknown) or "-",
                },
            )
        for line, cells in table:
            if any(cells):
                yield line, dict(zip(header, cells, strict=False))


def _read_json(fileobj, list_key: str):
    try:
        data = json.load(fileobj)
    except (ValueError, UnicodeDecodeError):
        raise UnreadableFile(0, _("is not valid JSON")) from None
    if isinstance(data, dict):
        data = data.get(list_key)
    if not isinstance(data, list):
        raise UnreadableFile(
            0, _('must be a list of travellers, or {"%(k)s": [...]}') % {"k": list_key}
        )
    for number, item in enumerate(data, start=1):
        if number > policy.active().data.upload_max_rows:
            raise UnreadableFile(
                number,
                _("the file has more than %(n)d travellers (policy upload_max_rows)")
                % {"n": policy.active().data.upload_max_rows},
            )
        if not isinstance(item, dict):
            raise UnreadableFile(number, _("each traveller must be an object"))
        yield number, {k: "" if v is None else str(v).strip() for k, v in item.items()}


class _Checker:
    """Turns passengers into arrival rows, collecting what is wrong with them."""

    def __init__(self, actor, now: datetime):
        self.actor, self.now, self.today = actor, now, timezone.localdate(now)
        self.errors: list[RowError] = []
        self.flights: dict[tuple[str, date], Flight | None] = {}
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.seen_seats: dict[int, dict[str, str]] = defaultdict(dict)  # flight -> seat -> doc
        self.seen_docs: dict[int, set[str]] = defaultdict(set)
        self.stored_seats: dict[int, dict[str, str]] = {}
        self.stored_docs: dict[int, set[str]] = {}
        self.already = 0
        self.region = getattr(actor, "scope_region_id", None) or getattr(actor, "region_id", None)

    def error(self, line, column, message):
        self.errors.append(RowError(line, column, message))

    def check(self, rows) -> list[tuple]:
        good = []
        for line, cells in rows:
            row = self._row(line, cells)
            if row is not None:
                good.append(row)
        if not good and not self.errors and not self.already:
            self.error(2, "", _("the file has no passengers"))
        return good

    def _row(self, line: int, cells: dict) -> tuple | None:
        before = len(self.errors)
        values = {c: (cells.get(c) or "").strip() for c in COLUMNS}
        for column in REQUIRED:
            if not values[column] and column != "seat":
                self.error(line, column, _("is required"))
        for column, limit in LIMITS.items():
            if len(values[column]) > limit:
                self.error(line, column, _("is longer than %(n)d characters") % {"n": limit})
        document = lookup.normalised(values["document"])
        crew = values["crew"].lower() in ("yes", "y", "1", "true", "是")
        risk = values["risk"].lower() or Risk.OVERSEAS
        if risk not in Risk.values:
            self.error(line, "risk", _("must be one of: %(v)s") % {"v": ", ".join(Risk.values)})
        if values["region_code"] and values["region_code"] not in self.regions:
            self.error(line, "region_code", _("is not a region code"))
        elif values["region_code"] and not covers(self.actor, values["region_code"]):
            self.error(line, "region_code", _("is outside your jurisdiction"))
        flight = self._flight(line, values)
        if flight is not None and document:
            self._seat_and_document(line, flight, values["seat"].upper(), document, crew)
        if len(self.errors) > before or flight is None:
            return None
        if document in self.stored_docs[flight.pk]:
            self.already += 1  # imported before: the same manifest again
            return None
        arrived_at = flight.landed_at or min(
            datetime.combine(flight.arrival_date, time(12), tzinfo=timezone.get_default_timezone()),
            self.now,
        )
        stage = first_stage(risk)
        return (
            f"manifest:{flight.number}:{flight.arrival_date}:{document}",
            "manifest",
            "flight",
            flight.pk,
            values["seat"].upper(),
            crew,
            document,
            values["name"],
            values["nationality"].upper(),
            values["origin"],
            risk,
            values["destination_address"],
            values["region_code"],
            naive_utc(arrived_at),
            stage,
            naive_utc(arrived_at),
            flight.port_unit_id,
            naive_utc(self.now),
        )

    def _flight(self, line: int, values: dict) -> Flight | None:
        try:
            day = date.fromisoformat(values["date"])
        except ValueError:
            if values["date"]:
                self.error(line, "date", _("must be a date as YYYY-MM-DD"))
            return None
        if day > self.today:
            self.error(line, "date", _("the arrival date is in the future"))
            return None
        number = values["flight_number"].upper().replace(" ", "")
        if (number, day) not in self.flights:
            self.flights[number, day] = self._load_flight(number, day)
        flight = self.flights[number, day]
        if flight is None:
            self.error(
                line,
                "flight_number",
                _("flight %(f)s of %(d)s is not registered") % {"f": number, "d": day},
            )
        elif values["airline"] != flight.route.airline or values["origin"] != flight.route.origin:
            self.error(
                line, "airline", _("the flight is registered as %(r)s") % {"r": flight.route}
            )
            return None
        return flight

    def _load_flight(self, number: str, day: date) -> Flight | None:
        flight = (
            Flight.objects.select_related("route").filter(number=number, arrival_date=day).first()
        )
        if flight is not None:
            stored = list(flight.arrivals.values_list("seat", "document"))
            self.stored_seats[flight.pk] = {seat: doc for seat, doc in stored if seat}
            self.stored_docs[flight.pk] = {doc for _seat, doc in stored}
        return flight

    def _seat_and_document(self, line, flight: Flight, seat: str, document: str, crew: bool):
        if document in self.seen_docs[flight.pk]:
            self.error(
                line,
                "document",
                _("%(d)s is twice on flight %(f)s")
                % {"d": lookup.normalised(document), "f": flight},
            )
        self.seen_docs[flight.pk].add(document)
        if not seat:
            if not crew:
                self.error(line, "seat", _("is required for a passenger"))
            return
        if seat in self.seen_seats[flight.pk]:
            self.error(
                line, "seat", _("seat %(s)s is twice on flight %(f)s") % {"s": seat, "f": flight}
            )
        self.seen_seats[flight.pk][seat] = document
        holder = self.stored_seats[flight.pk].get(seat)
        if holder is not None and holder != document:
            self.error(
                line,
                "seat",
                _("seat %(s)s of %(f)s is another passenger's") % {"s": seat, "f": flight},
            )


def match_persons(keys: list[str], now: datetime) -> int:
    """Link the new arrivals to registered persons by document, and record their facts."""
    matched = 0
    for chunk in chunks(keys):
        arrivals = list(
            Arrival.objects.filter(key__in=many(chunk, "text"), person__isnull=True).only(
                "pk", "document", "risk", "arrived_at", "origin"
            )
        )
        by_doc = {a.document: a for a in arrivals}
        persons = {}
        for field_name in ("id_number", "passport_number"):
            found = lookup.holders_anywhere(
                field_name, many(list(by_doc), "text"), purpose=lookup.Purpose.PORT_ARRIVAL
            ).values_list("pk", field_name, "region_id")
            for pk, number, region in found:
                persons[number] = (pk, region)
        links, facts = [], []
        for document, (person_id, region) in persons.items():
            arrival = by_doc[document]
            links.append((arrival.pk, person_id))
            if (kind := FACT_OF_RISK.get(arrival.risk)) is not None:
                facts.append(
                    healthcode.NewFact(
                        person_id,
                        region,
                        kind,
                        arrival.arrived_at,
                        arrival.arrived_at,
                        f"arrival {arrival.pk}",
                        f"arrival:{arrival.pk}",
                        f"arrived from {arrival.origin}",
                    )
                )
        bulk_update(Arrival._meta.db_table, "id", ("person_id",), links)
        if facts:
            healthcode.record_facts(facts, now=now)
        matched += len(links)
    return matched


def count_rows(rows: list[tuple], created: int) -> None:
    """The dashboard's counters for arrival rows just bulk-written (ARRIVAL_COLUMNS order)."""
    if not created:
        return
    flows: dict[tuple[str, date], int] = defaultdict(int)
    in_loop: dict[str, int] = defaultdict(int)
    for row in rows:
        flows[row[12], timezone.localdate(row[13].replace(tzinfo=UTC))] += 1
        if row[14] == Stage.LANDED:
            in_loop[row[12]] += 1
    counters.add_flows("arrivals", dict(flows))
    for region, n in in_loop.items():
        counters.bump("travellers_in_loop", region, n)
