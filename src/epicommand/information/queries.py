"""Reads of public information: the published bulletins (the same for everyone), drafts
and the sign-off queue, the rumour queue (scoped by the rumour's region), refutations and
articles on the public pages, and the authoritative figures a rumour's reviewer sees."""

from datetime import timedelta

from django.utils import timezone

from epicommand.control.queries import risk
from epicommand.core import policy

from .models import Article, Bulletin, Rumour

PAGE = 50
B = Bulletin.Status


def published_days(limit: int | None = None) -> list[Bulletin]:
    """The latest published version of each day, newest day first, over the policy's
    public history."""
    days = policy.active().information.public_history_days
    since = timezone.localdate() - timedelta(days=days)
    rows = (
        Bulletin.objects.filter(status=B.PUBLISHED, day__gte=since)
        .order_by("-day", "-version")
        .only("pk", "day", "version", "published_at", "figures", "correction_reason")
    )
    latest, seen = [], set()
    for bulletin in rows:
        if bulletin.day not in seen:
            seen.add(bulletin.day)
            latest.append(bulletin)
            if limit and len(latest) >= limit:
                break
    return latest


def latest_published() -> Bulletin | None:
    return Bulletin.objects.filter(status=B.PUBLISHED).order_by("-day", "-version").first()


def published_versions(day) -> list[Bulletin]:
    """Every published version of a day, the newest first: the public history."""
    return list(
        Bulletin.objects.filter(day=day, status=B.PUBLISHED)
        .only("pk", "day", "version", "status", "published_at", "correction_reason")
        .order_by("-version")
    )


def drafts() -> list[Bulletin]:
    return list(
        Bulletin.objects.filter(status=B.DRAFT)
        .prefetch_related("signatures__signed_by")
        .order_by("-day", "-version")[:PAGE]
    )


def recent_bulletins() -> list[Bulletin]:
    return list(Bulletin.objects.order_by("-day", "-version")[:PAGE])


def sign_queue(user) -> list[Bulletin]:
    """Drafts whose sums hold and whose next stage is the user's role to sign."""
    stages = policy.active().information.sign_stages
    queue = []
    for bulletin in drafts():
        signed = {s.stage for s in bulletin.signatures.all()}
        left = [s for s in stages if s.code not in signed]
        if bulletin.mismatches or not left:
            continue
        if left[0].role == getattr(user, "role", None):
            bulletin.next_stage = left[0]
            queue.append(bulletin)
    return queue


def rumour_page(who, *, status: str = "", after: int | None = None) -> list[Rumour]:
    rows = Rumour.objects.visible_to(who).select_related("region").order_by("-pk")
    if status in Rumour.Status.values:
        rows = rows.filter(status=status)
    if after:
        rows = rows.filter(pk__lt=after)
    return list(rows[:PAGE])


def visible_rumour(who, rumour_id: int) -> Rumour | None:
    return Rumour.objects.visible_to(who).select_related("region").filter(pk=rumour_id).first()


def refutations(limit: int = 20) -> list[Rumour]:
    """Refutations published, newest first: public, without who reported the claim."""
    return list(
        Rumour.objects.filter(refuted_at__isnull=False)
        .select_related("region")
        .only("pk", "claim", "refutation", "refuted_at", "region__name", "where_seen")
        .order_by("-refuted_at", "-pk")[:limit]
    )


def articles(language: str | None = None, limit: int = 50) -> list[Article]:
    rows = Article.objects.filter(published_at__isnull=False)
    if language:
        rows = rows.filter(language=language)
    return list(rows.order_by("-published_at", "-pk")[:limit])


def authoritative_for(rumour: Rumour) -> dict:
    """What a reviewer checks a claim against: the latest published bulletin (with the
    figures of the rumour's county) and the risk areas in force."""
    bulletin = latest_published()
    county = None
    if bulletin is not None:
        county = next(
            (c for c in bulletin.figures.get("counties", []) if c["code"] == rumour.region_id[:6]),
            None,
        )
    return {"bulletin": bulletin, "county": county, "areas": risk.areas_in_force()}
