"""The registry's cases as the daily bulletin reads them (the information app): every case
reported before a moment with its classification history, in two queries whatever the
size of the outbreak. The bulletin's arithmetic is the information app's; these are reads."""

from dataclasses import dataclass, field
from datetime import datetime

from ..models import Case, ClassificationChange


@dataclass
class CaseHistory:
    region_id: str
    confirmed_at: datetime | None
    outcome: str
    outcome_at: datetime | None
    # (at, from, to) in the order they happened.
    changes: list[tuple[datetime, str, str]] = field(default_factory=list)


def case_histories(before: datetime) -> list[CaseHistory]:
    """Every case reported before `before`, with the classification changes made before
    it. Not scoped: the bulletin is the city's published figures, counted over all cases
    (the caller's right to draft it is checked by the information service)."""
    cases = {
        pk: CaseHistory(region, confirmed, outcome, outcome_at)
        for pk, region, confirmed, outcome, outcome_at in Case.objects.filter(
            reported_at__lt=before
        ).values_list("pk", "region_id", "confirmed_at", "outcome", "outcome_at")
    }
    changes = (
        ClassificationChange.objects.filter(at__lt=before)
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "at", "classification_from", "classification_to")
    )
    for case_id, at, before_class, after_class in changes.iterator(chunk_size=5000):
        history = cases.get(case_id)
        if history is not None:
            history.changes.append((at, before_class, after_class))
    return list(cases.values())
