"""Where a person's records disagree with their state (control.services.person_state): the
person-level half of `epicommand check-consistency` (core.consistency). Reads only (it
lives beside the app's rooms, as it reads the colour rules the services apply); each
check walks one table in chunks and answers (person id, what disagrees)."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Q

from epicommand.core.bulk import chunks, many
from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, HouseholdControl, Stay
from epicommand.testing.models import PriorityTest, Recall
from epicommand.tracing.models import OPEN_CONTACT_STATUSES, Case, Contact, Outcome

from .models import Colour, FactKind, HealthCode, HealthFact, RiskArea
from .services.healthcode import FORGOTTEN_AFTER, Fact, assess

Found = Iterator[tuple[int, str]]
K = FactKind
CHUNK = 2000
S = Stay.Status
FACT_OF_STAY = {
    S.IN_TRANSFER: K.CENTRALIZED_QUARANTINE,
    S.IN_SITE: K.CENTRALIZED_QUARANTINE,
    S.HOME_MONITORING: K.HOME_MONITORING,
}


def _open_keys(kinds) -> set[tuple[int, str, str]]:
    return set(
        HealthFact.objects.filter(kind__in=kinds, ended_at__isnull=True).values_list(
            "person_id", "kind", "source_key"
        )
    )


def codes_without_reason(now: datetime) -> Found:
    """A red or yellow code its facts no longer give (nor a phase still running)."""
    coloured = HealthCode.objects.exclude(colour=Colour.GREEN).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
    person_ids = list(coloured.values_list("person_id", flat=True))
    recent = Q(ended_at__isnull=True) | Q(ended_at__gte=now - FORGOTTEN_AFTER)
    for chunk in chunks(person_ids):
        facts: dict[int, list[Fact]] = {pid: [] for pid in chunk}
        rows = HealthFact.objects.filter(recent, person_id__in=many(chunk))
        for pid, kind, start, end in rows.values_list(
            "person_id", "kind", "started_at", "ended_at"
        ):
            facts[pid].append(Fact(kind, start, end))
        stored = dict(
            HealthCode.objects.filter(person_id__in=many(chunk)).values_list("person_id", "colour")
        )
        for pid in chunk:
            given = assess(facts[pid], now).colour
            if given != stored[pid]:
                yield pid, f"code {stored[pid]}, but the open facts give {given}"


def stays_and_facts(now: datetime) -> Found:
    """An active stay has its open fact; an ended stay none; a stay's contact is under
    control while it lasts and released after; a released stay leaves no contact fact."""
    open_facts = _open_keys(list(FACT_OF_STAY.values()))
    contact_facts = {pid for pid, _k, _s in _open_keys([K.CLOSE_CONTACT, K.SECONDARY_CONTACT])}
    waiting = set(
        Contact.objects.filter(status__in=OPEN_CONTACT_STATUSES).values_list("person_id", flat=True)
    )
    rows = Stay.objects.values_list("pk", "person_id", "status", "left_site_at")
    for pk, person_id, status, left_site_at in rows.iterator(chunk_size=2000):
        key = f"stay:{pk}"
        if status in FACT_OF_STAY:
            if (person_id, FACT_OF_STAY[status], key) not in open_facts:
                yield person_id, f"stay {pk} is {status} without its open {FACT_OF_STAY[status]}"
            if person_id in waiting:
                yield person_id, f"stay {pk} is {status}, but a contact record is not controlled"
        elif any((person_id, kind, key) in open_facts for kind in set(FACT_OF_STAY.values())):
            yield person_id, f"stay {pk} is {status}, but its fact is still open"
        if left_site_at is not None and status != S.TO_HOSPITAL and person_id in contact_facts:
            yield person_id, f"stay {pk} left the site, but a contact fact is still open"


def contacts_and_cases(now: datetime) -> Found:
    """A person with an open case is no contact still waiting for control, nor on the
    priority list for anything but their own suspected-case test."""
    cases = set(Case.objects.filter(outcome=Outcome.OPEN).values_list("person_id", flat=True))
    for chunk in chunks(sorted(cases)):
        waiting = Contact.objects.filter(
            person_id__in=many(chunk), status__in=OPEN_CONTACT_STATUSES
        ).values_list("person_id", "pk")
        for person_id, pk in waiting:
            yield person_id, f"an open case, but contact {pk} is still waiting for control"
        listed = (
            PriorityTest.objects.filter(person_id__in=many(chunk), sampled_at__isnull=True)
            .exclude(reason=PriorityTest.Reason.SUSPECTED_CASE)
            .values_list("person_id", "reason")
        )
        for person_id, reason in listed:
            yield person_id, f"an open case, but still on the priority list ({reason})"


def released_contacts_with_facts(now: datetime) -> Found:
    """A released contact's fact has ended."""
    open_facts = _open_keys([K.CLOSE_CONTACT, K.SECONDARY_CONTACT])
    open_keys = {key for _p, _k, key in open_facts}
    released = Contact.objects.filter(status=Contact.Status.RELEASED).values_list("pk", "person_id")
    for pk, person_id in released.iterator(chunk_size=2000):
        if f"contact:{pk}" in open_keys:
            yield person_id, f"contact {pk} is released, but its fact is still open"


def recalls_and_facts(now: datetime) -> Found:
    """A recall waiting for its re-test keeps the positive-pool fact open, and only it."""
    open_facts = {pid for pid, _k, _s in _open_keys([K.POSITIVE_POOL])}
    waiting = set(
        Recall.objects.filter(
            status__in=[Recall.Status.PENDING, Recall.Status.SAMPLED]
        ).values_list("person_id", flat=True)
    )
    for person_id in sorted(waiting - open_facts):
        yield person_id, "a recall waits for its re-test without a positive-pool fact"
    for person_id in sorted(open_facts - waiting):
        yield person_id, "a positive-pool fact is open without a waiting recall"


def home_and_site_at_once(now: datetime) -> Found:
    """Nobody is in a site while their household is kept at home."""
    at_home = HouseholdControl.objects.filter(
        ended_at__isnull=True, kind=HouseholdControl.Kind.HOME_QUARANTINE
    ).values_list("household_id", flat=True)
    in_site = Stay.objects.filter(
        status__in=[s for s in ACTIVE_STAY_STATUSES if s != S.HOME_MONITORING],
        person__household_id__in=at_home,
    ).values_list("person_id", "pk")
    for person_id, pk in in_site:
        yield person_id, f"in centralized quarantine (stay {pk}) while the household is at home"


def households_at_home_with_waiting_contacts(now: datetime) -> Found:
    """A member of a household kept at home is under control: no contact record of theirs
    still waits for it."""
    at_home = {
        pid for pid, _k, key in _open_keys([K.HOME_MONITORING]) if key.startswith("household:")
    }
    for chunk in chunks(sorted(at_home)):
        waiting = Contact.objects.filter(
            person_id__in=many(chunk), status__in=OPEN_CONTACT_STATUSES
        ).values_list("person_id", "pk")
        for person_id, pk in waiting:
            yield person_id, f"kept at home, but contact {pk} is still waiting for control"


def facts_without_their_record(now: datetime) -> Found:
    """An open fact says why a person is coloured only while the record it came from
    still does: a case still open, a contact not released, an area still in force, a
    household still kept at home, a transfer to hospital no case has closed since. Walks
    the open facts in chunks, each with one query per kind of record."""
    rows = HealthFact.objects.filter(ended_at__isnull=True).values_list(
        "person_id", "kind", "source_key", "started_at"
    )
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from _without_record(batch)
            batch = []
    yield from _without_record(batch)


def _record_of(key: str) -> tuple[str, int | None]:
    """("case", 12) for "case:12", ("resident", 3) for "resident:3:77"."""
    prefix, _sep, rest = key.partition(":")
    number = rest.split(":")[0]
    return prefix, int(number) if number.isdigit() else None


LIVE_RECORDS = {
    "case": lambda: Case.objects.filter(outcome=Outcome.OPEN),
    "contact": lambda: Contact.objects.exclude(status=Contact.Status.RELEASED),
    "resident": lambda: RiskArea.objects.filter(status=RiskArea.Status.IN_FORCE),
    "household": lambda: HouseholdControl.objects.filter(ended_at__isnull=True),
}


def _without_record(facts: list[tuple]) -> Found:
    wanted: dict[str, set[int]] = {}
    for _pid, _kind, key, _start in facts:
        prefix, number = _record_of(key)
        if prefix in LIVE_RECORDS and number is not None:
            wanted.setdefault(prefix, set()).add(number)
    live = {prefix: _live(prefix, numbers) for prefix, numbers in wanted.items()}
    closed = _cases_closed_since(
        {pid for pid, kind, key, _s in facts if kind == K.CASE and key.endswith(":hospital")}
    )
    for person_id, kind, key, started_at in facts:
        prefix, number = _record_of(key)
        if prefix in live and number not in live[prefix]:
            yield person_id, f"{kind} fact {key} is open, but its record has ended"
        elif kind == K.CASE and key.endswith(":hospital"):
            if any(at >= started_at for at in closed.get(person_id, ())):
                yield person_id, f"{kind} fact {key} is open, but the case has closed since"


def _live(prefix: str, numbers: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(numbers)):
        rows = LIVE_RECORDS[prefix]().filter(pk__in=many(chunk))
        found |= set(rows.values_list("pk", flat=True))
    return found


def _cases_closed_since(person_ids: set[int]) -> dict[int, list[datetime]]:
    closed: dict[int, list[datetime]] = {}
    for chunk in chunks(sorted(person_ids)):
        rows = Case.objects.filter(person_id__in=many(chunk)).exclude(outcome=Outcome.OPEN)
        for person_id, at in rows.values_list("person_id", "outcome_at"):
            if at is not None:
                closed.setdefault(person_id, []).append(at)
    return closed


CHECKS = (
    codes_without_reason,
    stays_and_facts,
    contacts_and_cases,
    released_contacts_with_facts,
    recalls_and_facts,
    home_and_site_at_once,
    households_at_home_with_waiting_contacts,
    facts_without_their_record,
)
