"""The daily bulletin: drafted from the registry at the day's cut-off (or by the office),
checked, signed in the policy's stages, published, and corrected by a new version. A
published version is never written again: every service here refuses it, and the model's
save() is the last guard."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import Region, User

from .. import figures
from ..models import Bulletin, PressConference, Signature

B = Bulletin.Status


def city_code() -> str:
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None:
        raise ValidationError({"day": _("no city is set up")})
    return city.code


def latest_published(day: date) -> Bulletin | None:
    return Bulletin.objects.filter(day=day, status=B.PUBLISHED).order_by("-version").first()


def _figures_of(day: date) -> dict:
    before = day.fromordinal(day.toordinal() - 1)
    previous = latest_published(before)
    return figures.count_day(day, previous.figures if previous else None)


def _mismatches(counted: dict) -> list[dict]:
    return [check for check in counted["checks"] if not check["ok"]]


def _day_errors(day, now: datetime) -> dict:
    if not isinstance(day, date):
        return {"day": _("give the day as YYYY-MM-DD")}
    if day.year < 2000 or day > timezone.localdate(now):
        return {"day": _("a day of the outbreak, not in the future")}
    _start, end = figures.window_of(day)
    if end > now:
        return {"day": _("the day's figures close at %(end)s") % {"end": timezone.localtime(end)}}
    return {}


def draft_bulletin(actor, day: date, *, now: datetime | None = None) -> Bulletin:
    """Draft the bulletin of `day` from the registry, or count again the draft there is
    (its signatures go: they signed other figures). Refused once the day is published: a
    change then is a correction (`correct_bulletin`)."""
    now = now or timezone.now()
    require(actor, Capability.DRAFT_BULLETINS, region=city_code(), platform=True)
    errors = _day_errors(day, now)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        latest = Bulletin.objects.select_for_update().filter(day=day).order_by("-version").first()
        if latest is not None and latest.published:
            raise ValidationError(
                {"day": _("the bulletin of this day is published: publish a correction instead")}
            )
        return _count_into(actor, latest, day=day, version=1, reason="", now=now)


def correct_bulletin(actor, day: date, *, reason: str, now: datetime | None = None) -> Bulletin:
    """A correction of the published bulletin of `day`: a new version, drafted from the
    registry as it is now, with its reason; signed and published like the first."""
    now = now or timezone.now()
    require(actor, Capability.DRAFT_BULLETINS, region=city_code(), person=True)
    reason = (reason or "").strip()
    errors = _day_errors(day, now)
    if not reason:
        errors["reason"] = _("say why the bulletin is corrected")
    elif len(reason) > 500:
        errors["reason"] = _("at most 500 characters")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        latest = Bulletin.objects.select_for_update().filter(day=day).order_by("-version").first()
        if latest is None or not latest.published:
            raise ValidationError({"day": _("only a published bulletin is corrected")})
        return _count_into(actor, None, day=day, version=latest.version + 1, reason=reason, now=now)


def _count_into(actor, draft, *, day, version, reason, now) -> Bulletin:
    counted = _figures_of(day)
    start, end = figures.window_of(day)
    drafter = actor if isinstance(actor, User) else None
    if draft is None:
        draft = Bulletin.objects.create(
            day=day,
            version=version,
            figures=counted,
            mismatches=_mismatches(counted),
            window_start=start,
            window_end=end,
            correction_reason=reason,
            drafted_at=now,
            drafted_by=drafter,
        )
        action = "bulletin.correct" if reason else "bulletin.draft"
    else:
        draft.signatures.all().delete()
        draft.figures, draft.mismatches = counted, _mismatches(counted)
        draft.drafted_at, draft.drafted_by = now, drafter
        draft.save(update_fields=["figures", "mismatches", "drafted_at", "drafted_by"])
        action = "bulletin.redraft"
    audit.record(
        actor, action, draft, region_code=counted["city"]["code"], reason=reason or str(day)
    )
    return draft


def stages_left(bulletin: Bulletin) -> list:
    signed = set(bulletin.signatures.values_list("stage", flat=True))
    return [s for s in policy.active().information.sign_stages if s.code not in signed]


def sign(actor, bulletin: Bulletin, stage: str, *, now: datetime | None = None) -> Signature:
    """Sign the next stage. Refused while a sum does not hold, out of order, by a role
    the stage does not name, or by a person who signed an earlier stage."""
    now = now or timezone.now()
    require(actor, Capability.SIGN_BULLETINS, region=city_code(), person=True)
    stages = {s.code: s for s in policy.active().information.sign_stages}
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.published:
            raise ValidationError({"stage": _("the bulletin is published")})
        if bulletin.mismatches:
            raise ValidationError(
                {
                    "figures": _("%(n)d sums do not hold: count again or fix the registry")
                    % {"n": len(bulletin.mismatches)}
                }
            )
        left = stages_left(bulletin)
        if stage not in stages:
            raise ValidationError({"stage": _("no such stage")})
        if not left or left[0].code != stage:
            raise ValidationError({"stage": _("this stage is not the next to sign")})
        if actor.role != stages[stage].role:
            raise PermissionDenied(_("this stage is signed by another role"))
        if bulletin.signatures.filter(signed_by=actor).exists():
            raise ValidationError({"stage": _("one person signs one stage only")})
        signature = Signature.objects.create(
            bulletin=bulletin, stage=stage, signed_by=actor, signed_at=now
        )
        audit.record(actor, "bulletin.sign", bulletin, region_code=city_code(), reason=stage)
    return signature


def publish(actor, bulletin: Bulletin, *, now: datetime | None = None) -> Bulletin:
    """Publish a signed bulletin: from now on it never changes."""
    now = now or timezone.now()
    require(actor, Capability.DRAFT_BULLETINS, region=city_code(), person=True)
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.published:
            raise ValidationError({"status": _("the bulletin is published already")})
        if bulletin.mismatches:
            raise ValidationError({"figures": _("the sums do not hold")})
        if left := stages_left(bulletin):
            raise ValidationError(
                {"status": _("not signed yet: %(s)s") % {"s": ", ".join(_(s.label) for s in left)}}
            )
        # Conditional on still being a draft: two publishers at once publish it once.
        done = Bulletin.objects.filter(pk=bulletin.pk, status=B.DRAFT).update(
            status=B.PUBLISHED, published_at=now, published_by=actor
        )
        if not done:
            raise ValidationError({"status": _("the bulletin is published already")})
        audit.record(actor, "bulletin.publish", bulletin, region_code=city_code())
    bulletin.refresh_from_db()
    return bulletin


def record_press_conference(
    actor, *, number: int, held_at: datetime, title: str, bulletins: list[Bulletin]
) -> PressConference:
    """A numbered press conference and the published bulletins it released."""
    require(actor, Capability.DRAFT_BULLETINS, region=city_code(), person=True)
    errors = {}
    title = (title or "").strip()
    if not isinstance(number, int) or number < 1:
        errors["number"] = _("a press conference's number is 1 or more")
    elif PressConference.objects.filter(number=number).exists():
        errors["number"] = _("this press conference is recorded already")
    if not title or len(title) > 200:
        errors["title"] = _("give a title of at most 200 characters")
    if any(not b.published for b in bulletins):
        errors["bulletins"] = _("only published bulletins are released")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        conference = PressConference.objects.create(
            number=number, held_at=held_at, title=title, recorded_by=actor
        )
        conference.bulletins.set(bulletins)
        audit.record(
            actor, "press_conference.record", conference, region_code=city_code(), reason=title
        )
    return conference
