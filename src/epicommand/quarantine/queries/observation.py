"""Persons under medical observation at a moment (centralized quarantine or home health
monitoring), by region: what the daily bulletin publishes (the information app)."""

from datetime import datetime

from django.db.models import Count, Q

from ..models import Stay


def under_observation_by_region(at: datetime) -> dict[str, int]:
    """{region code of the person: stays begun before `at` and not yet ended at `at`}.
    A stay ends at release, or when its person went to a designated hospital."""
    ended = Q(released_at__lt=at) | Q(
        Q(status=Stay.Status.TO_HOSPITAL) & (Q(left_site_at__isnull=True) | Q(left_site_at__lt=at))
    )
    rows = (
        Stay.objects.filter(started_at__lt=at)
        .exclude(ended)
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    return dict(rows)
