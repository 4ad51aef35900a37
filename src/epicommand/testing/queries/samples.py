"""Reads of samples and tubes, scoped to the asking user or device: a tube and its
members (masked), a person's samples, the sites a table worker may choose."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from epicommand.core.access import Capability
from epicommand.core.masking import mask_id_number, mask_name

from ..barcodes import normalize
from ..models import Round, Sample, SamplingSite, Tube

PERSON_PAGE = 50


@dataclass(frozen=True)
class TubeMember:
    name: str  # masked
    id_number: str  # masked
    region_code: str
    sampled_at: datetime
    status: str


def visible_tube(who, barcode) -> Tube | None:
    """The tube with this barcode if it is in `who`'s scope (by the site's region, or the
    community's for door to door)."""
    barcode = normalize(barcode)
    if not barcode or len(barcode) > 32:
        return None
    return (
        Tube.objects.visible_to(who).select_related("site", "round").filter(barcode=barcode).first()
    )


def tube_members(who, tube: Tube) -> list[TubeMember]:
    """Who is in the tube, masked, in the order sampled; only for those who may see
    persons (a lab sees the tube, never who is in it), and only residents in their
    scope (a visitor from another district is counted in `members`, not listed)."""
    if not who.can(Capability.VIEW_PERSONS):
        return []
    rows = (
        Sample.objects.visible_to(who)
        .filter(tube=tube)
        .order_by("sampled_at", "pk")
        .values_list("person__name", "person__id_number", "region_id", "sampled_at", "status")
    )
    return [
        TubeMember(mask_name(name), mask_id_number(number or ""), region, at, status)
        for name, number, region, at, status in rows
    ]


def samples_of_person(who, person, *, before: int | None = None, limit: int = PERSON_PAGE):
    """The person's samples, newest first, keyset by id; returns (rows, next cursor)."""
    rows = (
        Sample.objects.visible_to(who)
        .filter(person=person)
        .select_related("tube", "tube__site", "round")
        .order_by("-pk")
    )
    if before:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].pk if more else None)


def sites_for_table(who):
    """The active sites a table worker may register samples at."""
    return SamplingSite.objects.visible_to(who).filter(is_active=True).order_by("region_id", "name")


def rounds_for_table(now=None):
    """Rounds sampling now (or planned to start today): the few a table chooses from.
    Rounds are the city's or a county's orders, so they are not scoped by the user."""
    now = now or timezone.now()
    return Round.objects.filter(
        Q(status=Round.Status.OPEN) | Q(status=Round.Status.PLANNED, starts_at__lte=now)
    ).order_by("-starts_at")[:20]
