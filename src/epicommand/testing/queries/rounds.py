"""Scoped reads of rounds, sampling sites, site assignments and the persons of a village
not yet sampled in a round. Every read starts from the caller's jurisdiction; lists page
by key; nothing counts a big table (the round's figures are in testing.statistics).

Who sees a round: the jurisdiction that ordered it (Round.region) and every jurisdiction
that overlaps a region it covers. A county office sees a citywide round, and its figures
for its own county only; a Chang'an office never sees a round of Gaocheng."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from epicommand.core.access import covers, region_q, scope_q, typed_region_q
from epicommand.core.keyset import parse_cursor
from epicommand.core.models import Region
from epicommand.people.models import Person

from ..models import Round, RoundProgress, Sample, SamplingSite, SiteAssignment

PAGE_SIZE = 50
MAX_PAGE = 500


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


# Rounds --------------------------------------------------------------------------------------


def scope_region(who) -> Region | None:
    return getattr(who, "scope_region", None) or getattr(who, "region", None)


def visible_rounds(who):
    """Rounds ordered inside `who`'s jurisdiction or covering any part of it."""
    region = scope_region(who)
    if region is None or not getattr(who, "is_active", False):
        return Round.objects.none()
    covering = Round.regions.through.objects.filter(
        scope_q(who, "region_id") | Q(region_id__in=[a.code for a in region.ancestors()])
    ).values("round_id")
    return Round.objects.filter(scope_q(who, "region_id") | Q(pk__in=covering)).select_related(
        "region"
    )


def visible_round(who, round_id) -> Round:
    """The round if `who` sees it; 404 otherwise."""
    return get_object_or_404(visible_rounds(who), pk=parse_cursor(round_id) or 0)


def round_page(
    who, *, status: str = "", after=None, limit: int = PAGE_SIZE
) -> tuple[list[Round], int | None]:
    """Newest rounds first, by id."""
    rows = visible_rounds(who)
    if status in Round.Status.values:
        rows = rows.filter(status=status)
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__lt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("-pk")[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


def round_focus(who, round_: Round, region_code: str | None = None) -> Region:
    """The region whose figures to show: the one asked for (inside both the caller's
    jurisdiction and the round), else the narrower of the two. 404 for any other."""
    if region_code:
        code = region_code.strip()
        region = Region.objects.filter(code=code).first()
        if region is None or not covers(who, code) or not round_.region.contains(code):
            raise Http404("no such region in this round")
        return region
    mine = scope_region(who)
    if mine is not None and round_.region.contains(mine.code):
        return mine
    return round_.region


def trail(who, round_: Round, focus: Region) -> list[Region]:
    """The regions above the focus the caller may step back up to."""
    return [
        r
        for r in focus.ancestors()
        if r.code != focus.code and covers(who, r.code) and round_.region.contains(r.code)
    ]


def in_round(round_: Round, code: str) -> bool:
    """Whether the region lies inside one of the regions the round covers."""
    return any(r.contains(code) for r in round_.regions.all())


# Sites ---------------------------------------------------------------------------------------


def visible_site(who, site_id) -> SamplingSite:
    return get_object_or_404(
        SamplingSite.objects.visible_to(who).select_related("region"),
        pk=parse_cursor(site_id) or 0,
    )


def site_page(
    who, *, region: str | None = None, active: bool | None = None, after=None, limit=PAGE_SIZE
) -> tuple[list[SamplingSite], int | None]:
    rows = SamplingSite.objects.visible_to(who).select_related("region")
    rows = rows.filter(typed_region_q(region, "region_id"))
    if active is not None:
        rows = rows.filter(is_active=active)
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__gt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("pk")[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


def assignment_page(
    who, round_: Round, *, site_id=None, region: str | None = None, after=None, limit=PAGE_SIZE
) -> tuple[list[SiteAssignment], int | None]:
    """The round's communities and their sites and slots, inside the caller's
    jurisdiction, by id."""
    rows = (
        SiteAssignment.objects.visible_to(who).filter(round=round_).select_related("site", "region")
    )
    if site := parse_cursor(site_id):
        rows = rows.filter(site_id=site)
    rows = rows.filter(typed_region_q(region, "region_id"))
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__gt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("pk")[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


# Not yet sampled -----------------------------------------------------------------------------


def unsampled_village(who, round_: Round, region_code: str | None) -> Region:
    """The village whose list is asked for: inside the caller's jurisdiction and the round
    (404 otherwise)."""
    code = (region_code or "").strip()
    region = Region.objects.filter(code=code).first() if code.isdigit() else None
    if region is None or not covers(who, code) or not in_round(round_, code):
        raise Http404("no such region in this round")
    return region


def unsampled_page(
    who, round_: Round, village: Region, *, after=None, limit: int = PAGE_SIZE
) -> tuple[list[Person], int | None]:
    """Persons residing in the village with no sample in the round, by id: an anti-join
    over the person (region, id) and sample (round, person) indexes, one page at a time."""
    sampled = Sample.objects.filter(round=round_, person=OuterRef("pk"))
    rows = (
        Person.objects.visible_to(who)
        .filter(region_id=village.code)
        .filter(~Exists(sampled))
        .only("pk", "name", "id_number", "passport_number", "nationality", "phone", "address")
    )
    if cursor := parse_cursor(after):
        rows = rows.filter(pk__gt=cursor)
    limit = _limit(limit)
    found = list(rows.order_by("pk")[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


# The resident's own page ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentRound:
    round: Round
    assignment: SiteAssignment | None


def resident_rounds(person: Person, *, now: datetime, limit: int = 3) -> list[ResidentRound]:
    """Rounds covering the person's village that are not closed, with their site and slot
    (None: not yet assigned)."""
    code = person.region_id
    # The city (its code ends in 00), county, township and the village itself.
    ancestors = {code[:4] + "00", code[:6], code[:9], code}
    rounds = list(
        Round.objects.filter(regions__code__in=ancestors)
        .exclude(status=Round.Status.CLOSED)
        .filter(ends_at__gt=now)
        .distinct()
        .order_by("starts_at")[:limit]
    )
    assigned = {
        a.round_id: a
        for a in SiteAssignment.objects.filter(round__in=rounds, region_id=code).select_related(
            "site"
        )
    }
    return [ResidentRound(r, assigned.get(r.pk)) for r in rounds]


def resident_samples(person: Person, *, limit: int = 5) -> list[Sample]:
    """The person's own latest samples and their results, newest first."""
    return list(
        Sample.objects.filter(person=person).select_related("round").order_by("-sampled_at")[:limit]
    )


def still_to_sample(round_: Round, region_code: str) -> dict[str, int]:
    """{village code: persons of the round's target not yet sampled} inside a region, for
    the materials forecast (supplies.forecast): read from the round's per-village rows."""
    rows = (
        RoundProgress.objects.filter(round=round_)
        .filter(region_q(region_code, "region_id"))
        .values_list("region_id", "target", "sampled")
    )
    return {code: target - sampled for code, target, sampled in rows if target > sampled}
