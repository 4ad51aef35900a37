"""The 9th edition's "a negative full round of testing on day 7" before a high-risk area
steps down, answered for control.services.risk_rules (registered with
`set_full_round_check(negative_full_round)` when the testing app is ready).

The rule, read from the rounds' per-village figures (RoundProgress, kept current by the
sampling and result services, so no sample is counted here): look at the rounds covering
the village (the village itself, its township, county or the city) that started at or
after `since`.

- None: no such round: nothing is known.
- False: one of them found a positive in the village (a positive single tube, or a member
  of a positive pool whose single re-test was positive), or none of them is complete yet.
- True: none found a positive, and at least one is complete in the village: it sampled
  at least its target of residents (and someone), and every person sampled came back
  negative (negative pools, and members of positive or invalid pools released by their
  single re-test). A pool still awaiting its re-tests keeps the round incomplete."""

from datetime import datetime

from django.db.models import Q

from .models import Round, RoundProgress


def covering_codes(village_code: str) -> list[str]:
    """The codes of the regions whose rounds cover a village: itself and its ancestors."""
    city = village_code[:4] + "00"
    return sorted({city, village_code[:6], village_code[:9], village_code})


def negative_full_round(village_code: str, since: datetime) -> bool | None:
    rounds = list(
        Round.objects.filter(regions__code__in=covering_codes(village_code), starts_at__gte=since)
        .exclude(status=Round.Status.PLANNED)
        .values_list("pk", flat=True)
        .distinct()
    )
    if not rounds:
        return None
    rows = RoundProgress.objects.filter(Q(round_id__in=rounds), region_id=village_code)
    complete = False
    for row in rows:
        if row.positives:
            return False
        if row.sampled and row.sampled >= row.target and row.released >= row.sampled:
            complete = True
    return complete
