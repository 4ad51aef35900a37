"""An employer's roster from a CSV or XLSX file: each line an ID number and a key group
(and a job, if given). Read as the people import reads (people.imports.read_table), each
line checked in Python (the ID number's check digit, the group among the policy's), the
persons found in batches through people.lookup.holders_anywhere, then written in bulk,
all or nothing: any error, and nothing is written and every error names its line and
column. A person already on the roster gets the group of the file."""

from collections import Counter
from contextlib import closing

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.core.idnumbers import parse_id_number
from epicommand.core.models import Unit
from epicommand.people import imports, lookup

from ..models import RosterEntry
from . import coverage

COLUMNS = ("id_number", "group", "job")
REQUIRED = ("id_number", "group")
ImportResult, RowError = imports.ImportResult, imports.RowError
LOOKUP_CHUNK = 5000


def _rejection(errors: list) -> ImportResult:
    listed = sorted(errors)[: imports.MAX_LISTED_ERRORS]
    return ImportResult(errors=listed, error_count=len(errors))


class _Rejected(Exception):
    def __init__(self, errors: list):
        self.result = _rejection(errors)


def employer_of(actor, unit_id: int | None = None) -> Unit:
    """The unit a roster is for: the account's own unit for an employer; an office names
    one in its jurisdiction."""
    require(actor, Capability.KEEP_ROSTER)
    if unit_id is None:
        unit = getattr(actor, "unit", None)
        if unit is None:
            raise PermissionDenied(_("your account belongs to no unit"))
    else:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise ValidationError({"unit": _("no such unit")})
    require(actor, Capability.KEEP_ROSTER, region=unit.region_id)
    return unit


def import_roster(actor, unit: Unit, fileobj, filename: str) -> ImportResult:
    require(actor, Capability.KEEP_ROSTER, region=unit.region_id)
    try:
        with transaction.atomic(), closing(imports.read_table(fileobj, filename)) as table:
            return _import(actor, unit, table, filename)
    except _Rejected as rejected:
        return rejected.result
    except imports.UnreadableFile as exc:
        return _rejection([RowError(exc.line, "", exc.message)])


def _header(table) -> dict[str, int]:
    names = [c.strip().lower() for c in next(table, (1, []))[1]]
    positions = {n: i for i, n in enumerate(names) if n}
    unknown = [n for n in positions if n not in COLUMNS]
    missing = [n for n in REQUIRED if n not in positions]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("missing columns: %(c)s") % {"c": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(c)s") % {"c": ", ".join(unknown)})
        raise _Rejected([RowError(1, "", "; ".join(parts))])
    return positions


def _rows(table, positions, groups) -> tuple[dict[str, tuple[int, str, str]], list]:
    """{ID number: (line, group, job)} and the errors found without the database."""
    found, errors, today = {}, [], timezone.localdate()
    for line, cells in table:
        if not any(cells):
            continue

        def cell(name, cells=cells):
            at = positions.get(name)
            return cells[at].strip() if at is not None and at < len(cells) else ""

        number, group = cell("id_number").upper(), cell("group")
        try:
            parse_id_number(number, today=today)
        except ValidationError as exc:
            errors.append(RowError(line, "id_number", exc.messages[0]))
        else:
            if number in found:
                message = _("also on line %(n)d") % {"n": found[number][0]}
                errors.append(RowError(line, "id_number", message))
        if group not in groups:
            message = _("unknown key group %(g)r: one of %(all)s") % {
                "g": group,
                "all": ", ".join(sorted(groups)),
            }
            errors.append(RowError(line, "group", message))
        job = cell("job")
        if len(job) > 60:
            errors.append(RowError(line, "job", _("at most 60 characters")))
        found.setdefault(number, (line, group, job))
    return found, errors


def _import(actor, unit: Unit, table, filename: str) -> ImportResult:
    positions = _header(table)
    groups = policy.active().vaccination.group_codes
    rows, errors = _rows(table, positions, groups)
    if not rows and not errors:
        raise _Rejected([RowError(2, "", _("the file has no staff below the header"))])
    persons = {}
    for chunk in chunks(rows):
        held = lookup.holders_anywhere(
            "id_number", many(chunk, "text"), purpose=lookup.Purpose.ROSTER
        )
        persons.update(held.values_list("id_number", "pk"))
    bad_lines = {e.line for e in errors}
    for number, (line, _group, _job) in rows.items():
        if number not in persons and line not in bad_lines:
            errors.append(
                RowError(line, "id_number", _("no registered person holds this ID number"))
            )
    if errors:
        raise _Rejected(errors)
    listed = dict(RosterEntry.objects.filter(unit=unit).values_list("person_id", "pk").iterator())
    now = naive_utc(timezone.now())
    new = (
        (unit.pk, persons[n], group, job, unit.region_id, now)
        for n, (_line, group, job) in rows.items()
        if persons[n] not in listed
    )
    created = bulk_insert(
        RosterEntry._meta.db_table,
        ("unit_id", "person_id", "group", "job", "region_id", "listed_at"),
        new,
    )
    changed = [
        (listed[persons[n]], group, job)
        for n, (_line, group, job) in rows.items()
        if persons[n] in listed
    ]
    bulk_update(RosterEntry._meta.db_table, "id", ("group", "job"), changed)
    _retally(unit)
    reason = _("%(n)d staff from %(f)s (%(new)d new)") % {
        "n": len(rows),
        "f": filename,
        "new": created,
    }
    audit.record(
        actor, "vaccination.roster.import", unit, region_code=unit.region_id, reason=reason
    )
    return ImportResult(created=created)


def _retally(unit: Unit) -> None:
    counts = Counter(
        dict(
            RosterEntry.objects.filter(unit=unit)
            .values_list("group")
            .annotate(n=Count("pk"))
            .values_list("group", "n")
        )
    )
    groups = policy.active().vaccination.group_codes
    coverage.set_rostered({(unit.region_id, unit.pk, g): counts.get(g, 0) for g in groups})
