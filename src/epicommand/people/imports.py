"""Importing persons from a CSV or XLSX file (DESIGN "Bulk paths" and rule 5).

The file is read once, as a stream. Each row is checked in Python with the rules the form
and the API use (`person_errors`) and written, good or bad, into a TEMP staging table
through `core.bulk` (COPY on PostgreSQL, executemany on SQLite). What needs the database
(an ID number twice in the file, one already registered, a household outside the
jurisdiction) is then checked in SQL against that table, so a person registered by someone
else a moment ago is caught too. Only when no row has an error are the staged rows copied
into people_person with one INSERT ... SELECT; otherwise nothing is written and the errors
come back with their line and column."""

import csv
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

import openpyxl
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from epicommand.core import audit, counters, uploads
from epicommand.core.access import covers, scope_range
from epicommand.core.bulk import bulk_insert
from epicommand.core.models import Region

from .models import Household, Person
from .services import person_errors

COLUMNS = (
    "name",
    "id_number",
    "passport_number",
    "nationality",
    "sex",
    "birth_date",
    "phone",
    "region_code",
    "address",
    "household",
)
REQUIRED_COLUMNS = ("name", "region_code")
IDENTITY_COLUMNS = ("id_number", "passport_number")  # at least one of them
MAX_LISTED_ERRORS = 1000
# person_errors speaks in model fields; the file speaks in its own column names.
COLUMN_OF_FIELD = {"region_id": "region_code"}

STAGING = "people_import_staging"
STAGING_COLUMNS = (
    "line",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "passport_number",
    "nationality",
    "phone",
    "address",
    "region_id",
    "household_code",
)


@dataclass(frozen=True, order=True)
class RowError:
    line: int  # 1-based line of the file, the header being line 1; 0 is the file as a whole
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    households_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0  # every error found; `errors` lists the first MAX_LISTED_ERRORS

    @property
    def summary(self) -> str:
        if not self.error_count:
            return _("%(n)d persons imported") % {"n": self.created}
        if self.error_count > len(self.errors):
            return _("%(n)d errors, the first %(k)d are listed; nothing was imported") % {
                "n": self.error_count,
                "k": len(self.errors),
            }
        return _("%(n)d errors; nothing was imported") % {"n": self.error_count}


class UnreadableFile(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _Rejected(Exception):
    """Raised inside the transaction so that everything staged is rolled back."""

    def __init__(self, result: ImportResult):
        self.result = result


def import_persons(actor, fileobj, filename: str, progress=None) -> ImportResult:
    """Import every row of the file, or none of them. `fileobj` is a binary file;
    `progress(lines_read)`, when given, is told every PROGRESS_EVERY lines (a background
    import, core.filejobs)."""
    try:
        with transaction.atomic(), closing(_read_table(fileobj, filename)) as table:
            return _import(actor, _reporting(table, progress), filename)
    except _Rejected as rejected:
        return rejected.result
    except UnreadableFile as exc:
        return rejection([RowError(exc.line, "", exc.message)], 1)


def _import(actor, table: Iterator[tuple[int, list[str]]], filename: str) -> ImportResult:
    header = next(table, (1, []))[1]
    positions, header_error = _header_positions(header)
    if header_error:
        raise _Rejected(rejection([header_error], 1))
    checker = _RowChecker(positions, actor)
    with connection.cursor() as cursor:
        _create_staging(cursor)
        staged = bulk_insert(STAGING, STAGING_COLUMNS, checker.staged_rows(table))
        if not staged:
            raise _Rejected(
                rejection([RowError(2, "", _("the file has no persons below the header"))], 1)
            )
        _prepare_checks(cursor)
        found, count = _database_errors(cursor, checker.scope)
        if checker.error_count or count:
            raise _Rejected(rejection(checker.errors + found, checker.error_count + count))
        households, created = _write(cursor, checker.scope)
        _count_by_county(cursor)
        cursor.execute(f"DROP TABLE {STAGING}")
    reason = _("%(n)d persons from %(f)s") % {"n": created, "f": filename}
    if households:
        reason += _(", %(h)d new households") % {"h": households}
    audit.record(
        actor,
        "person.import",
        object_type="people.person",
        object_id="",
        region_code=_scope_region_code(actor),
        reason=reason,
    )
    return ImportResult(created=created, households_created=households)


PROGRESS_EVERY = 1000


def _reporting(table, progress):
    line = 1
    for line, cells in table:
        if progress is not None and line % PROGRESS_EVERY == 0:
            progress(line - 1)
        yield line, cells
    if progress is not None:
        progress(line - 1)  # every line read: the rows below the header


def rejection(errors: list[RowError], count: int) -> ImportResult:
    listed = sorted(errors)[:MAX_LISTED_ERRORS]
    return ImportResult(errors=listed, error_count=max(count, len(listed)))


def _scope_region_code(actor) -> str | None:
    # Users carry a scope region, API tokens a region.
    return getattr(actor, "scope_region_id", None) or getattr(actor, "region_id", None)


# Reading the file ------------------------------------------------------------------------


def _read_table(fileobj, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for every line, header first; cells are stripped text. The file is
    refused (UnreadableFile, naming the limit) as soon as it passes a bound of
    core.uploads: its size or expanded size before it is opened, its rows, columns or
    cells at the line that passes them."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UnreadableFile(
            0,
            _("unsupported file type %(s)r: upload a .csv or .xlsx file")
            % {"s": suffix or filename},
        )
    try:
        uploads.check_file(fileobj, filename)
    except uploads.Refused as refused:
        raise UnreadableFile(refused.line, refused.message) from None
    rows = _read_csv(fileobj) if suffix == ".csv" else _read_xlsx(fileobj)
    return _refusals_unreadable(uploads.bounded(rows))


def _refusals_unreadable(table):
    try:
        yield from table
    except uploads.Refused as refused:
        raise UnreadableFile(refused.line, refused.message) from None
    finally:
        table.close()


# Other importers (inbound flight manifests) read their files the same way.
read_table = _read_table


def _read_csv(fileobj) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_decoded_lines(fileobj))
    line = 1
    try:
        for cells in reader:
            yield line, [c.strip() for c in cells]
            # A quoted cell may span lines: the next record starts after this one ends.
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(line, _("is not valid CSV (%(e)s)") % {"e": exc}) from None


def _decoded_lines(fileobj) -> Iterator[str]:
    """Decoded line by line, so that a file in another encoding is refused at the line
    where it goes wrong."""
    # Django's upload objects split lines in Python; the file they wrap does it natively.
    for number, raw in enumerate(getattr(fileobj, "file", fileobj), start=1):
        try:
            # utf-8-sig drops the byte order mark Excel puts before "CSV UTF-8" files.
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise UnreadableFile(
                number, _('is not UTF-8 text: save the file as "CSV UTF-8"')
            ) from None


def _read_xlsx(fileobj) -> Iterator[tuple[int, list[str]]]:
    try:
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise UnreadableFile(0, _("is not a readable XLSX workbook")) from None
    try:
        uploads.check_sheet(book.worksheets[0])
    except uploads.Refused as refused:
        book.close()
        raise UnreadableFile(refused.line, refused.message) from None
    try:
        # Read-only mode streams the sheet and yields an empty tuple for a missing row,
        # so counting rows gives the line numbers Excel shows.
        rows = book.worksheets[0].iter_rows(values_only=True)
        for line, values in enumerate(rows, start=1):
            yield line, [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phones typed as numbers come back as floats
    return str(value).strip()


def _header_positions(header: list[str]) -> tuple[dict[str, int], RowError | None]:
    """Where each known column is, or one error naming every problem with the header."""
    names = [cell.strip().lower() for cell in header]
    positions = {name: i for i, name in enumerate(names) if name}
    unknown = [n for n in positions if n not in COLUMNS]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    missing = [n for n in REQUIRED_COLUMNS if n not in positions]
    if not any(n in positions for n in IDENTITY_COLUMNS):
        missing.append(" or ".join(IDENTITY_COLUMNS))
    if not (unknown or repeated or missing):
        return positions, None
    problems = []
    if missing:
        problems.append(_("missing column %(c)s") % {"c": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown column %(c)s") % {"c": ", ".join(unknown)})
    if repeated:
        problems.append(_("repeated column %(c)s") % {"c": ", ".join(repeated)})
    message = _("%(p)s; the header must name columns among: %(all)s") % {
        "p": "; ".join(problems),
        "all": ", ".join(COLUMNS),
    }
    return positions, RowError(1, ", ".join(missing + unknown + repeated), message)


# Checking rows in Python -----------------------------------------------------------------


class _RowChecker:
    """Turns file rows into staging rows, collecting what is wrong with them."""

    def __init__(self, positions: dict[str, int], actor):
        self.positions = positions
        self.width = max(positions.values()) + 1
        self.actor = actor
        # Loaded now, not on the first row: on PostgreSQL the rows stream into a COPY, and
        # a query for the actor's region on the same connection would wait for it forever.
        self.scope = scope_range(actor)
        # Loaded once: a set lookup per row instead of a query per row.
        self.regions = frozenset(Region.objects.values_list("code", flat=True))
        self.today = date.today()
        self.max_lengths = {
            f: Person._meta.get_field(f).max_length for f in ("passport_number", "phone", "address")
        }
        self.max_lengths["household"] = Household._meta.get_field("code").max_length
        self.errors: list[RowError] = []
        self.error_count = 0

    def staged_rows(self, table: Iterator[tuple[int, list[str]]]) -> Iterator[tuple]:
        for line, cells in table:
            if any(cells):  # spreadsheets leave blank lines; they are not persons
                yield self.staged_row(line, cells)

    def staged_row(self, line: int, cells: list[str]) -> tuple:
        data = {name: cells[i] if i < len(cells) else "" for name, i in self.positions.items()}
        data["region_id"] = data.pop("region_code", "")
        household = data.pop("household", "")
        errors = person_errors(data, region_exists=self.regions.__contains__, today=self.today)
        self._check_more(data, household, cells, errors)
        for name, message in errors.items():
            self._add(line, COLUMN_OF_FIELD.get(name, name), message)
        born = data.get("birth_date")
        return (
            line,
            data["name"],
            data.get("sex") or None,
            born if isinstance(born, date) else None,
            # Only a valid ID number takes part in the duplicate checks in SQL.
            None if "id_number" in errors else data["id_number"],
            data["passport_number"],
            data["nationality"],
            data["phone"],
            data["address"],
            data["region_id"],
            household or None,
        )

    def _check_more(self, data: dict, household: str, cells: list[str], errors: dict) -> None:
        """What the form does not need to ask: jurisdiction, lengths, stray cells."""
        if "region_id" not in errors and not covers(self.actor, data["region_id"]):
            errors["region_id"] = _("%(c)s is outside your jurisdiction") % {"c": data["region_id"]}
        for name, limit in self.max_lengths.items():
            value = household if name == "household" else data[name]
            if len(value) > limit and name not in errors:
                errors[name] = _("is longer than %(n)d characters") % {"n": limit}
        if len(cells) > self.width and any(cells[self.width :]):
            errors[""] = _("has values right of the last named column")

    def _add(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:  # rows come in line order: keep the first
            self.errors.append(RowError(line, column, message))


# Staging, checking and writing in SQL ----------------------------------------------------

STAGING_DDL = f"""
CREATE TEMP TABLE {STAGING} (
    line integer NOT NULL, name text, sex text, birth_date date, id_number text,
    passport_number text, nationality text, phone text, address text, region_id text,
    household_code text
)"""

# The one difference between the databases: PostgreSQL never auto-analyzes a temp table,
# and without statistics it would plan the checks below as if the table were empty;
# SQLite has no hash joins, so it gets indexes to look rows up by.
AFTER_STAGING = {
    "postgresql": (f"ANALYZE {STAGING}",),
    "sqlite": (
        f"CREATE INDEX {STAGING}_id ON {STAGING} (id_number)",
        f"CREATE INDEX {STAGING}_passport ON {STAGING} (passport_number, nationality)",
        f"CREATE INDEX {STAGING}_household ON {STAGING} (household_code)",
    ),
}

# Each finding is (line, kind, detail); the window count gives the total with the first page.
DATABASE_CHECKS = f"""
SELECT line, kind, detail, COUNT(*) OVER () FROM (
    SELECT s.line, 'duplicate' AS kind, CAST(f.first_line AS TEXT) AS detail
      FROM {STAGING} s
      JOIN (SELECT id_number, MIN(line) AS first_line FROM {STAGING}
             WHERE id_number IS NOT NULL GROUP BY id_number HAVING COUNT(*) > 1) f
        ON f.id_number = s.id_number AND s.line > f.first_line
    UNION ALL
    SELECT s.line, 'registered', s.id_number FROM {STAGING} s
     WHERE EXISTS (SELECT 1 FROM people_person p WHERE p.id_number = s.id_number)
    UNION ALL
    SELECT s.line, 'duplicate passport', CAST(f.first_line AS TEXT) FROM {STAGING} s
      JOIN (SELECT passport_number, nationality, MIN(line) AS first_line FROM {STAGING}
             WHERE passport_number <> '' GROUP BY passport_number, nationality
            HAVING COUNT(*) > 1) f
        ON f.passport_number = s.passport_number AND f.nationality = s.nationality
       AND s.line > f.first_line
    UNION ALL
    SELECT s.line, 'registered passport', s.passport_number FROM {STAGING} s
     WHERE s.passport_number <> '' AND EXISTS (
           SELECT 1 FROM people_person p
            WHERE p.passport_number = s.passport_number AND p.nationality = s.nationality)
    UNION ALL
    SELECT s.line, 'household', h.code FROM {STAGING} s
      JOIN people_household h ON h.code = s.household_code
     WHERE NOT (h.region_id >= %s AND h.region_id < %s)
) AS found
ORDER BY line LIMIT %s"""

# A new household number takes the region and address of the first person naming it.
INSERT_HOUSEHOLDS = f"""
INSERT INTO people_household (code, region_id, address, created_at)
SELECT s.household_code, s.region_id, s.address, %s FROM {STAGING} s
 WHERE s.line IN (SELECT MIN(line) FROM {STAGING} WHERE household_code IS NOT NULL
                   GROUP BY household_code)
   AND NOT EXISTS (SELECT 1 FROM people_household h WHERE h.code = s.household_code)
ON CONFLICT (code) DO NOTHING"""

# Ordered by line so that person ids follow the file.
INSERT_PERSONS = f"""
INSERT INTO people_person (name, sex, birth_date, id_number, passport_number, nationality,
                           phone, address, region_id, household_id, created_at, updated_at)
SELECT s.name, s.sex, s.birth_date, s.id_number, s.passport_number, s.nationality,
       s.phone, s.address, s.region_id, h.id, %s, %s
  FROM {STAGING} s LEFT JOIN people_household h ON h.code = s.household_code
 ORDER BY s.line"""


def _create_staging(cursor) -> None:
    # A table left by an earlier import on this connection (inside a test's outer
    # transaction, say) would otherwise stop this one.
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(STAGING_DDL)


def _prepare_checks(cursor) -> None:
    for statement in AFTER_STAGING[connection.vendor]:
        cursor.execute(statement)


def _database_errors(cursor, scope: tuple[str, str]) -> tuple[list[RowError], int]:
    """`scope` is the importer's range of region codes (core.access.scope_range)."""
    cursor.execute(DATABASE_CHECKS, [*scope, MAX_LISTED_ERRORS])
    rows = cursor.fetchall()
    errors = [RowError(line, *_database_error(kind, detail)) for line, kind, detail, _n in rows]
    return errors, rows[0][3] if rows else 0


def _database_error(kind: str, detail: str) -> tuple[str, str]:
    if kind == "duplicate":
        return "id_number", _("the same ID number is on line %(l)s") % {"l": detail}
    if kind == "registered":
        return "id_number", _("a person with this ID number is already registered")
    if kind == "duplicate passport":
        return "passport_number", _("the same passport is on line %(l)s") % {"l": detail}
    if kind == "registered passport":
        return "passport_number", _(
            "a person with this passport of this nationality is already registered"
        )
    return "household", _("household %(c)s is outside your jurisdiction") % {"c": detail}


# Persons written, per county: one dashboard counter bump per county, not per person.
COUNT_BY_COUNTY = f"SELECT SUBSTR(region_id, 1, 6), COUNT(*) FROM {STAGING} GROUP BY 1"


def _count_by_county(cursor) -> None:
    cursor.execute(COUNT_BY_COUNTY)
    for county, count in cursor.fetchall():
        counters.bump("persons", county, count)
        counters.bump("persons_registered", county, count)


def _write(cursor, scope: tuple[str, str]) -> tuple[int, int]:
    """Copy the staged rows into the real tables; returns (households, persons) created."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    try:
        # A savepoint, because a concurrent registration of the same ID number can still
        # commit between the checks and this insert; the unique index then refuses it.
        with transaction.atomic():
            cursor.execute(INSERT_HOUSEHOLDS, [now])
            households = cursor.rowcount
            cursor.execute(INSERT_PERSONS, [now, now])
            return households, cursor.rowcount
    except IntegrityError:
        # Checked again, the rows that lost the race show up by line.
        found, count = _database_errors(cursor, scope)
        if not count:
            raise
        raise _Rejected(rejection(found, count)) from None
