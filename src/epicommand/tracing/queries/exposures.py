"""Scoped reads of exposures to positive places or goods: scoped by the exposed person's
region, so the county that investigates them sees them and no other county does. Lists
page by key, newest first, with IDs and phones masked in the templates and the API."""

from django.shortcuts import get_object_or_404

from ..models import Exposure

PAGE_SIZE = 50
RELATED = ("person", "region")


def visible_exposure(who, exposure_id: int) -> Exposure:
    return get_object_or_404(
        Exposure.objects.visible_to(who).select_related(*RELATED), pk=exposure_id
    )


def exposure_page(who, *, status: str = "", after: int | None = None, limit: int = PAGE_SIZE):
    """(rows, the cursor of the next page or None)."""
    qs = Exposure.objects.visible_to(who)
    if status:
        qs = qs.filter(status=status)
    if after:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.select_related(*RELATED).order_by("-id")[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)
