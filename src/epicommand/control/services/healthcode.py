"""The health-code engine: facts in, colours out.

Modules never set a colour. They record what they learn about a person as a fact
(`record_fact`, or `record_facts` for many) and end it when it stops being true
(`end_facts`); the engine recomputes the colour of exactly the persons whose facts changed,
by the active edition's rules (core.policy `colour_rules`), keeps the history of changes,
and keeps the per-county colour counters. A colour also changes by itself when a phase
ends (a high-risk visit turns from red to yellow after 14 days): `valid_until` holds that
moment and `recompute_due` (run by the worker) picks up the persons it has passed.

    from epicommand.control.services import healthcode
    healthcode.record_fact(person, FactKind.CLOSE_CONTACT, started_at=t,
                           source=f"contact {c.pk}", source_key=f"contact:{c.pk}")
    healthcode.end_facts(person.pk, FactKind.CLOSE_CONTACT, at=released_at)
"""

import json
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from epicommand.core import audit, counters, policy
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.people.models import Person

from ..models import SEVERITY, Colour, ColourChange, FactKind, HealthCode, HealthFact

# A fact ended longer ago than this no longer colours anyone under any edition.
FORGOTTEN_AFTER = timedelta(days=60)
COLOUR_METRICS = {Colour.RED: "codes_red", Colour.YELLOW: "codes_yellow"}


@dataclass(frozen=True)
class Reason:
    kind: str
    colour: str
    until: datetime | None  # None: until the fact ends (a release, a negative re-test)
    detail: str = ""

    def as_json(self) -> dict:
        until = self.until.isoformat() if self.until else None
        return {"kind": self.kind, "colour": self.colour, "until": until, "detail": self.detail}


@dataclass(frozen=True)
class Assessment:
    colour: str
    reasons: tuple[Reason, ...]
    valid_until: datetime | None  # the next moment the colour may change by itself


@dataclass(frozen=True)
class Fact:
    """The part of a HealthFact the rules read."""

    kind: str
    started_at: datetime
    ended_at: datetime | None
    detail: str = ""


def assess(facts: Iterable[Fact], at: datetime, rules=None) -> Assessment:
    """The colour at `at`: the worst any fact gives. A fact gives its rule's `while_open`
    colour until it ends, then each phase of `after` in turn; a fact not yet started gives
    nothing yet. Pure, so every rule is testable without a database."""
    rules = rules if rules is not None else policy.active().colour_rules
    reasons, changes = [], []
    for fact in facts:
        if fact.started_at > at:
            changes.append(fact.started_at)
            continue
        rule = rules[fact.kind]
        if fact.ended_at is None or fact.ended_at > at:
            until = None
            if fact.ended_at is not None:
                changes.append(fact.ended_at)
                until = _same_colour_until(fact.ended_at, ((rule.while_open, 0), *rule.after))
            reasons.append(Reason(fact.kind, rule.while_open, until, fact.detail))
            continue
        phase_start = fact.ended_at
        for index, (colour, days) in enumerate(rule.after):
            phase_end = phase_start + timedelta(days=days)
            if at < phase_end:
                changes.append(phase_end)
                until = _same_colour_until(phase_start, rule.after[index:])
                reasons.append(Reason(fact.kind, colour, until, fact.detail))
                break
            phase_start = phase_end
    reasons = [r for r in reasons if r.colour != Colour.GREEN]
    reasons.sort(key=lambda r: (-SEVERITY[r.colour], r.kind))
    colour = reasons[0].colour if reasons else Colour.GREEN
    return Assessment(colour, tuple(reasons), min(changes) if changes else None)


def _same_colour_until(start: datetime, phases) -> datetime:
    """The end of the run of phases that share the first one's colour, so that a reason
    reads "red until the 19th" even when the rule spells red as two phases."""
    end = start
    for colour, days in phases:
        if colour != phases[0][0]:
            break
        end += timedelta(days=days)
    return end


# Recording facts ---------------------------------------------------------------------------


def record_fact(
    person: Person,
    kind: FactKind,
    *,
    started_at: datetime,
    ended_at: datetime | None = None,
    source: str,
    source_key: str,
    detail: str = "",
    now: datetime | None = None,
) -> Assessment:
    """Record one fact and recompute the person's colour at once (a checkpoint's fever
    shows on the next scan). Recording the same (kind, source_key) again changes nothing.
    The caller's service writes the audit event for what it did."""
    with transaction.atomic():
        HealthFact.objects.get_or_create(
            kind=kind,
            source_key=source_key,
            defaults={
                "person": person,
                "region_id": person.region_id,
                "started_at": started_at,
                "ended_at": ended_at,
                "source": source,
                "detail": detail[:200],
            },
        )
        return recompute([person.pk], now=now)[person.pk]


@dataclass(frozen=True)
class NewFact:
    person_id: int
    region_id: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    source: str
    source_key: str
    detail: str = ""


FACT_COLUMNS = (
    "person_id",
    "region_id",
    "kind",
    "started_at",
    "ended_at",
    "source",
    "source_key",
    "detail",
    "created_at",
)


def record_facts(facts: Iterable[NewFact], *, recompute_now: bool = True, now=None) -> set[int]:
    """Record many facts in one bulk write (a risk area touching 100,000 persons), skipping
    any (kind, source_key) already stored; returns the persons whose facts were given, all
    recomputed unless the caller recomputes them itself."""
    now = now or timezone.now()
    facts = list(facts)
    persons = {f.person_id for f in facts}
    with transaction.atomic():
        _insert_new_facts(facts, now)
        if recompute_now:
            recompute(persons, now=now)
    return persons


def _insert_new_facts(facts: list[NewFact], now: datetime) -> None:
    # (kind, source_key) is unique: one query per kind finds what is stored already, so
    # the bulk insert never meets a conflict on either database.
    by_kind: dict[str, list[NewFact]] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact)
    fresh = []
    for kind, group in by_kind.items():
        keys = [f.source_key for f in group]
        stored = set()
        for chunk in chunks(keys):
            stored |= set(
                HealthFact.objects.filter(
                    kind=kind, source_key__in=many(chunk, "text")
                ).values_list("source_key", flat=True)
            )
        seen = set()
        for fact in group:
            if fact.source_key not in stored and fact.source_key not in seen:
                seen.add(fact.source_key)
                fresh.append(fact)
    bulk_insert(
        HealthFact._meta.db_table,
        FACT_COLUMNS,
        (
            (
                f.person_id,
                f.region_id,
                f.kind,
                naive_utc(f.started_at),
                naive_utc(f.ended_at),
                f.source,
                f.source_key,
                f.detail[:200],
                naive_utc(now),
            )
            for f in fresh
        ),
    )


def end_facts(
    person_ids: Iterable[int],
    kind: FactKind,
    *,
    at: datetime,
    source_key: str | None = None,
    now: datetime | None = None,
) -> set[int]:
    """End the open facts of a kind (all of them, or the one of `source_key`) for these
    persons at `at`, and recompute them. Returns the persons whose facts ended."""
    person_ids = list(person_ids)
    ended = set()
    with transaction.atomic():
        for chunk in chunks(person_ids):
            open_facts = HealthFact.objects.filter(
                person_id__in=many(chunk), kind=kind, ended_at__isnull=True
            )
            if source_key is not None:
                open_facts = open_facts.filter(source_key=source_key)
            ended |= set(open_facts.values_list("person_id", flat=True))
            open_facts.update(ended_at=at)
        if ended:
            recompute(ended, now=now)
    return ended


# Recomputing ----------------------------------------------------------------------------


def recompute(person_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Assessment]:
    """Recompute these persons' colours from their facts: rows whose colour changes get a
    new version and a history line, and the county counters move. Returns each person's
    assessment. Call inside the transaction that changed the facts."""
    now = now or timezone.now()
    rules = policy.active().colour_rules
    results: dict[int, Assessment] = {}
    deltas: Tally = Tally()
    with transaction.atomic():
        for chunk in chunks(sorted(set(person_ids))):
            results |= _recompute_chunk(chunk, now, rules, deltas)
        for (metric, region_code), delta in deltas.items():
            counters.bump(metric, region_code, delta)
    return results


def recompute_due(now: datetime | None = None) -> int:
    """Recompute everyone whose colour was due to change by now (a phase ended)."""
    now = now or timezone.now()
    due = HealthCode.objects.filter(valid_until__lte=now).values_list("person_id", flat=True)
    person_ids = list(due)
    recompute(person_ids, now=now)
    return len(person_ids)


def _recompute_chunk(chunk: list[int], now: datetime, rules, deltas: Tally) -> dict:
    facts: dict[int, list[Fact]] = {pid: [] for pid in chunk}
    recent = Q(ended_at__isnull=True) | Q(ended_at__gte=now - FORGOTTEN_AFTER)
    rows = HealthFact.objects.filter(recent, person_id__in=many(chunk)).values_list(
        "person_id", "kind", "started_at", "ended_at", "detail"
    )
    for person_id, kind, started_at, ended_at, detail in rows:
        facts[person_id].append(Fact(kind, started_at, ended_at, detail))
    codes = {
        row[0]: Stored(*row)
        for row in HealthCode.objects.filter(person_id__in=many(chunk)).values_list(
            "person_id", "region_id", "colour", "reasons", "valid_until", "version", "changed_at"
        )
    }
    regions = dict(
        Person.objects.filter(pk__in=many([p for p in chunk if p not in codes])).values_list(
            "pk", "region_id"
        )
    )
    results, inserts, updates, history = {}, [], [], []
    for person_id in chunk:
        result = assess(facts[person_id], now, rules)
        results[person_id] = result
        reasons = [r.as_json() for r in result.reasons]
        code = codes.get(person_id)
        if code is None:
            if person_id not in regions:
                continue  # a deleted person has nothing to show
            if result.colour == Colour.GREEN and result.valid_until is None:
                continue  # no row means green
            # Green with a valid_until: a fact starts later, and recompute_due finds the
            # person through this row's valid_until when it does.
            region = regions[person_id]
            inserts.append((person_id, region, result, reasons))
            if result.colour != Colour.GREEN:
                history.append((person_id, region, Colour.GREEN, result.colour, reasons))
                _count(deltas, region, None, result.colour)
            continue
        changed = code.colour != result.colour
        if not changed and code.reasons == reasons and code.valid_until == result.valid_until:
            continue
        version = code.version + 1 if changed else code.version
        since = now if changed else code.changed_at
        updates.append((person_id, result, reasons, version, since))
        if changed:
            history.append((person_id, code.region_id, code.colour, result.colour, reasons))
            _count(deltas, code.region_id, code.colour, result.colour)
    _write(inserts, updates, history, now)
    return results


@dataclass(frozen=True)
class Stored:
    """The part of a stored HealthCode a recompute compares with."""

    person_id: int
    region_id: str
    colour: str
    reasons: list
    valid_until: datetime | None
    version: int
    changed_at: datetime


def _count(deltas: Tally, region_code: str, old: str | None, new: str) -> None:
    # Keyed by county: counters are kept per county and city, so 5,000 villages make 20
    # counter writes, not 10,000.
    county = region_code[: counters.CITY_CODE_LENGTH]
    if old in COLOUR_METRICS:
        deltas[(COLOUR_METRICS[old], county)] -= 1
    if new in COLOUR_METRICS:
        deltas[(COLOUR_METRICS[new], county)] += 1


def _write(inserts, updates, history, now: datetime) -> None:
    stamp = naive_utc(now)
    bulk_insert(
        HealthCode._meta.db_table,
        (
            "person_id",
            "region_id",
            "colour",
            "reasons",
            "valid_until",
            "version",
            "changed_at",
            "computed_at",
        ),
        (
            # A green row (a fact starting later) keeps version 0, the version of "no row":
            # a code shown before it stays current until the colour really changes.
            (
                pid,
                region,
                r.colour,
                json.dumps(reasons),
                naive_utc(r.valid_until),
                0 if r.colour == Colour.GREEN else 1,
                stamp,
                stamp,
            )
            for pid, region, r, reasons in inserts
        ),
    )
    bulk_update(
        HealthCode._meta.db_table,
        "person_id",
        ("colour", "reasons", "valid_until", "version", "changed_at", "computed_at"),
        (
            (
                pid,
                r.colour,
                json.dumps(reasons),
                naive_utc(r.valid_until),
                version,
                naive_utc(since),
                stamp,
            )
            for pid, r, reasons, version, since in updates
        ),
    )
    bulk_insert(
        ColourChange._meta.db_table,
        ("person_id", "region_id", "at", "colour_from", "colour_to", "reasons"),
        (
            (pid, region, stamp, old, new, json.dumps(reasons))
            for pid, region, old, new, reasons in history
        ),
    )


# Reading ---------------------------------------------------------------------------------


def current(person: Person) -> HealthCode:
    """The person's code as stored; green (unsaved, version 0) when nothing is known."""
    code = HealthCode.objects.filter(person_id=person.pk).first()
    if code is not None:
        return code
    now = timezone.now()
    return HealthCode(
        person=person,
        region_id=person.region_id,
        colour=Colour.GREEN,
        reasons=[],
        version=0,
        changed_at=now,
        computed_at=now,
    )


def note_code_viewed(actor, person: Person, *, channel: str) -> None:
    """A user (or a token) read an identified person's code with its reasons and facts:
    audited as a view of the person's record, once per view."""
    audit.record(actor, "healthcode.view", person, reason=channel)


def colours_of(person_ids: Iterable[int]) -> dict[int, str]:
    """{person id: colour} for many persons at once (green for those without a row)."""
    person_ids = list(person_ids)
    found = {}
    for chunk in chunks(person_ids):
        found |= dict(
            HealthCode.objects.filter(person_id__in=many(chunk)).values_list("person_id", "colour")
        )
    return {pid: found.get(pid, Colour.GREEN) for pid in person_ids}
