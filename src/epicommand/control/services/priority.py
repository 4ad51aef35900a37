"""The priority-testing list: persons to sample first (a fever at a checkpoint or a fever
clinic, a close contact, a suspected case), each with a deadline from the edition. Modules
that learn of such a person list them here; the testing module marks them sampled when it
registers their sample. Checkpoints list their fevers in bulk (services.passages)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from epicommand.core import policy
from epicommand.people.models import Person

from ..models import PriorityTest


def list_for_testing(
    person: Person, reason: str, *, source_key: str, detail: str = "", now: datetime | None = None
) -> PriorityTest | None:
    """List `person` for a priority test, unless they are already waiting for one (one
    sample answers every reason) or this source listed them before. Returns the new entry,
    or None when nothing was added."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = PriorityTest.objects.filter(person=person, sampled_at__isnull=True)
        if waiting.exists() or PriorityTest.objects.filter(source_key=source_key).exists():
            return None
        return PriorityTest.objects.create(
            person=person,
            region_id=person.region_id,
            reason=reason,
            detail=detail[:200],
            source_key=source_key,
            listed_at=now,
            deadline=now + timedelta(hours=policy.active().priority_test_hours),
        )


def mark_sampled(person_ids, at: datetime) -> int:
    """The testing module sampled these persons at `at`: every entry listed before then and
    still waiting is done. Returns how many entries it closed."""
    return PriorityTest.objects.filter(
        person_id__in=list(person_ids), sampled_at__isnull=True, listed_at__lte=at
    ).update(sampled_at=at)
