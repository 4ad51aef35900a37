"""Rumours: reported by a resident on the public form (throttled per browser and address)
or by monitoring staff; a reviewer of the region rules on each, publishes a refutation
beside the bulletin, and refers the spreader to public security, recording the outcome."""

from datetime import date, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.coldchain.services.batches import file_kind
from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import Region, User

from ..models import Rumour

R = Rumour.Status
IMAGE_KINDS = ("image/png", "image/jpeg")
OUTCOMES = [r for r in Rumour.Referral.values if r not in ("", Rumour.Referral.REFERRED)]


class Throttled(Exception):
    """Too many reports from this browser or address lately; `minutes` to wait at most."""

    def __init__(self, minutes: int):
        self.minutes = minutes
        super().__init__(minutes)


def _report_errors(claim, where_seen, seen_on, region_code, screenshot, today) -> dict:
    rules = policy.active().information
    errors = {}
    if not (claim or "").strip():
        errors["claim"] = _("say what the claim is")
    elif len(claim) > 2000:
        errors["claim"] = _("at most 2,000 characters")
    if not (where_seen or "").strip():
        errors["where_seen"] = _("say where you saw it (a group, an app, a street)")
    elif len(where_seen) > 200:
        errors["where_seen"] = _("at most 200 characters")
    if seen_on is not None and (not isinstance(seen_on, date) or seen_on > today):
        errors["seen_on"] = _("a date not in the future")
    if not Region.objects.filter(code=region_code, level__lte=Region.Level.COUNTY).exists():
        errors["region_code"] = _("choose the city or a county")
    if screenshot is not None:
        if screenshot.size > rules.screenshot_max_bytes:
            errors["screenshot"] = _("the image is larger than %(mb)d MB") % {
                "mb": rules.screenshot_max_bytes >> 20
            }
        elif file_kind(screenshot) not in IMAGE_KINDS:
            errors["screenshot"] = _("the screenshot is not a PNG or JPEG image")
    return errors


def _create(actor, source, *, claim, where_seen, seen_on, region_code, screenshot, now):
    errors = _report_errors(
        claim, where_seen, seen_on, region_code, screenshot, timezone.localdate(now)
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rumour = Rumour(
            source=source,
            claim=claim.strip(),
            where_seen=where_seen.strip(),
            seen_on=seen_on,
            region_id=region_code,
            reported_at=now,
            reported_by=actor if isinstance(actor, User) else None,
        )
        if screenshot is not None:
            rumour.screenshot.save(f"{now:%Y%m%d%H%M%S}.img", screenshot, save=False)
        rumour.save()
        audit.record(actor, "rumour.report", rumour, reason=source)
    return rumour


def report_by_staff(
    actor,
    *,
    claim,
    where_seen,
    region_code,
    seen_on=None,
    screenshot=None,
    now: datetime | None = None,
) -> Rumour:
    """Monitoring staff report what they found, for a region of their jurisdiction."""
    now = now or timezone.now()
    require(actor, Capability.HANDLE_RUMOURS)
    if Region.objects.filter(code=region_code).exists():
        require(actor, Capability.HANDLE_RUMOURS, region=region_code)
    return _create(
        actor,
        Rumour.Source.MONITORING,
        claim=claim,
        where_seen=where_seen,
        seen_on=seen_on,
        region_code=region_code,
        screenshot=screenshot,
        now=now,
    )


def report_by_public(
    request,
    *,
    claim,
    where_seen,
    region_code,
    seen_on=None,
    screenshot=None,
    now: datetime | None = None,
) -> Rumour:
    """A resident's report on the public form, no account: throttled per browser session
    and per address (many phones share one address behind a carrier), counted in the
    shared cache so the limit holds across workers."""
    now = now or timezone.now()
    keys = _throttle_keys(request)
    rules = policy.active().information
    counts = cache.get_many(list(keys))
    if any(counts.get(key, 0) >= limit for key, limit in keys.items()):
        audit.record(
            None, "rumour.report", object_type="information.rumour", reason="refused: throttled"
        )
        raise Throttled(rules.rumour_window_minutes)
    rumour = _create(
        None,
        Rumour.Source.PUBLIC,
        claim=claim,
        where_seen=where_seen,
        seen_on=seen_on,
        region_code=region_code,
        screenshot=screenshot,
        now=now,
    )
    timeout = rules.rumour_window_minutes * 60
    for key in keys:
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout)
    return rumour


def _throttle_keys(request) -> dict[str, int]:
    rules = policy.active().information
    if not request.session.session_key:
        request.session.save()
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return {
        f"rumour-report:session:{request.session.session_key}": rules.rumour_reports_per_session,
        f"rumour-report:address:{address}": rules.rumour_reports_per_address,
    }


def rule(
    actor,
    rumour: Rumour,
    *,
    status: str,
    ruling: str,
    refutation: str = "",
    now: datetime | None = None,
) -> Rumour:
    """Rule on a claim; a false one may carry its refutation, published at once beside
    the bulletin. A ruling stands: a later finding is a new report."""
    now = now or timezone.now()
    require(actor, Capability.HANDLE_RUMOURS, region=rumour.region_id, person=True)
    errors = {}
    ruling, refutation = (ruling or "").strip(), (refutation or "").strip()
    if rumour.status != R.NEW:
        errors["status"] = _("the claim is ruled on already")
    elif status not in (R.FALSE, R.TRUE, R.UNVERIFIABLE):
        errors["status"] = _("choose false, true or unverifiable")
    if not ruling:
        errors["ruling"] = _("give the ruling's grounds (the authoritative figures)")
    elif len(ruling) > 2000:
        errors["ruling"] = _("at most 2,000 characters")
    if refutation and status != R.FALSE:
        errors["refutation"] = _("only a false claim is refuted")
    elif len(refutation) > 4000:
        errors["refutation"] = _("at most 4,000 characters")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        done = Rumour.objects.filter(pk=rumour.pk, status=R.NEW).update(
            status=status,
            ruling=ruling,
            ruled_at=now,
            ruled_by=actor,
            refutation=refutation,
            refuted_at=now if refutation else None,
        )
        if not done:
            raise ValidationError({"status": _("the claim is ruled on already")})
        audit.record(actor, "rumour.rule", rumour, reason=status)
    rumour.refresh_from_db()
    return rumour


def refer(actor, rumour: Rumour, *, note: str = "", now: datetime | None = None) -> Rumour:
    """Refer a false claim's spreading to public security."""
    now = now or timezone.now()
    require(actor, Capability.HANDLE_RUMOURS, region=rumour.region_id, person=True)
    if rumour.status != R.FALSE:
        raise ValidationError({"referral": _("only a claim ruled false is referred")})
    if rumour.referral:
        raise ValidationError({"referral": _("the claim is referred already")})
    with transaction.atomic():
        Rumour.objects.filter(pk=rumour.pk, referral="").update(
            referral=Rumour.Referral.REFERRED, referred_at=now, referral_note=(note or "")[:500]
        )
        audit.record(actor, "rumour.refer", rumour, reason=note[:200] if note else "")
    rumour.refresh_from_db()
    return rumour


def record_outcome(
    actor, rumour: Rumour, *, outcome: str, note: str, now: datetime | None = None
) -> Rumour:
    """Public security's outcome of a referral (warned, fined, detained, no action)."""
    now = now or timezone.now()
    require(actor, Capability.HANDLE_RUMOURS, region=rumour.region_id, person=True)
    errors = {}
    if rumour.referral != Rumour.Referral.REFERRED:
        errors["outcome"] = _("the claim is not awaiting public security's outcome")
    elif outcome not in OUTCOMES:
        errors["outcome"] = _("choose one of: %(o)s") % {"o": ", ".join(OUTCOMES)}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("say what public security decided")
    elif len(note) > 500:
        errors["note"] = _("at most 500 characters")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Rumour.objects.filter(pk=rumour.pk).update(
            referral=outcome, referral_note=note, referral_closed_at=now
        )
        audit.record(actor, "rumour.outcome", rumour, reason=outcome)
    rumour.refresh_from_db()
    return rumour
