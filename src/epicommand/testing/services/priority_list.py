"""The priority-testing list: persons to sample first (a fever at a checkpoint or a fever
clinic, a close contact, a suspected case), each with a deadline from the edition. Modules
that learn of such a person list them here; sampling marks them sampled when it registers
their sample. Checkpoints list their fevers in bulk (control.services.passages)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from epicommand.core import audit, policy
from epicommand.core.bulk import bulk_insert, chunks, many, naive_utc
from epicommand.people.models import Person

from ..models import PriorityTest


def list_for_testing(
    person: Person, reason: str, *, source_key: str, detail: str = "", now: datetime | None = None
) -> PriorityTest | None:
    """List `person` for a priority test, unless they are already waiting for one (one
    sample answers every reason) or this source listed them before. Returns the new entry,
    or None when nothing was added."""
    with transaction.atomic():
        listing = Listing(person.pk, person.region_id, reason, source_key, detail)
        if not list_many_for_testing([listing], now=now):
            return None
        return PriorityTest.objects.get(source_key=source_key)


@dataclass(frozen=True)
class Listing:
    """One person for `list_many_for_testing`."""

    person_id: int
    region_id: str  # the person's region of residence
    reason: str
    source_key: str
    detail: str = ""


COLUMNS = (
    "person_id",
    "region_id",
    "reason",
    "detail",
    "source_key",
    "listed_at",
    "deadline",
    "sampled_at",
)


def list_many_for_testing(listings: list[Listing], *, now: datetime | None = None) -> int:
    """`list_for_testing` for a batch (a checkpoint device's fevers, a workplace of close
    contacts), by the same rules in a few queries: a person already waiting is not listed
    again, nor a source listed before. Returns how many entries it added."""
    now = now or timezone.now()
    waiting, listed = set(), set()
    for chunk in chunks([entry.person_id for entry in listings]):
        waiting |= set(
            PriorityTest.objects.filter(
                person_id__in=many(chunk), sampled_at__isnull=True
            ).values_list("person_id", flat=True)
        )
    for chunk in chunks([entry.source_key for entry in listings]):
        listed |= set(
            PriorityTest.objects.filter(source_key__in=many(chunk, "text")).values_list(
                "source_key", flat=True
            )
        )
    deadline = naive_utc(now + timedelta(hours=policy.active().priority_test_hours))
    rows = []
    for entry in listings:
        if entry.person_id in waiting or entry.source_key in listed:
            continue
        waiting.add(entry.person_id)
        listed.add(entry.source_key)
        rows.append(
            (
                entry.person_id,
                entry.region_id,
                entry.reason,
                entry.detail[:200],
                entry.source_key,
                naive_utc(now),
                deadline,
                None,
            )
        )
    return bulk_insert(PriorityTest._meta.db_table, COLUMNS, rows, skip_existing="source_key")


def mark_sampled(person_ids, at: datetime) -> int:
    """The testing module sampled these persons at `at`: every entry listed before then and
    still waiting is done. Returns how many entries it closed."""
    return PriorityTest.objects.filter(
        person_id__in=list(person_ids), sampled_at__isnull=True, listed_at__lte=at
    ).update(sampled_at=at)


def withdraw_for_case(person_ids: list[int], at: datetime, now: datetime) -> int:
    """These persons became cases (control.services.person_state): their waiting entries
    leave the list, all but a suspected case's own, which its confirming test answers.
    The hospital tests a case from here on. Returns how many entries it withdrew."""
    waiting = []
    for chunk in chunks(person_ids):
        waiting += PriorityTest.objects.filter(
            person_id__in=many(chunk), sampled_at__isnull=True
        ).exclude(reason=PriorityTest.Reason.SUSPECTED_CASE)
    if waiting:
        audit.record_many(None, "priority_test.withdraw", waiting, reason="case")
        PriorityTest.objects.filter(pk__in=[e.pk for e in waiting]).delete()
    return len(waiting)
