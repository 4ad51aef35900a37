"""Scoped reads of violations: the person's record, so scoped by the person's region.
Lists show the person masked; the detail page (audited) shows them in full."""

from django.shortcuts import get_object_or_404

from ..models import Violation

PAGE_SIZE = 50


def visible_violation(who, violation_id: int) -> Violation:
    rows = Violation.objects.visible_to(who).select_related(
        "person", "region", "stay", "stay__site", "stay__room", "referred_to", "recorded_by"
    )
    return get_object_or_404(rows, pk=violation_id)


def violation_page(
    who,
    *,
    status: str = "",
    kind: str = "",
    region: str = "",
    after: int | None = None,
    limit: int = PAGE_SIZE,
):
    """Violations in the caller's jurisdiction, newest first, one keyset page."""
    qs = Violation.objects.visible_to(who)
    if region:
        qs = qs.in_region(region)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if after:
        qs = qs.filter(pk__lt=after)
    qs = qs.select_related("person", "region", "referred_to").order_by("-id")
    rows = list(qs[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)
