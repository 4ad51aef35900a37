"""Violations of quarantine: leaving without authorization, refusing a test or medical
monitoring, concealing or falsifying information. Recorded with evidence (text and a
photo), referred to the public security bureau of the person's county, closed with an
outcome. A violation is the person's record: it is scoped by the person's region.

Every function checks who may act (a person's account: the record names who made it),
validates (ValidationError naming the field), writes and audits in one transaction.
Viewing a violation and opening its photo are audited too."""

from datetime import datetime, timedelta
from pathlib import PurePath
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.models import Unit
from epicommand.core.notifications import notify

from ..models import ACTIVE_STAY_STATUSES, Stay, Violation

C = Capability
S = Violation.Status
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DESCRIPTION = 5000
MAX_OUTCOME = 5000
MAX_NOTE = 500
# What Pillow recognizes and a browser shows; the stored name carries the format's suffix.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CLOCK_SKEW = timedelta(minutes=5)


def violation_url(violation: Violation) -> str:
    return reverse("quarantine:violation_detail", args=[violation.pk])


# Who may act -------------------------------------------------------------------------------


# Validation --------------------------------------------------------------------------------


def _text(value, field: str, errors: dict, *, limit: int, required: bool) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = _("must be text")
        return ""
    value = (value or "").strip()
    if "\x00" in value:
        errors[field] = _("contains a NUL character")
    elif required and not value:
        errors[field] = _("is required")
    elif len(value) > limit:
        errors[field] = _("is longer than %(n)d characters") % {"n": limit}
    return value


def photo_error(upload) -> tuple[str | None, str]:
    """(why the upload is refused or None, the image format's file suffix). Pillow reads
    the file's own bytes: a name ending in .jpg proves nothing."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_PHOTO_BYTES:
        return _("is larger than %(mb)d MB") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}, ""
    if size == 0:
        return _("is empty"), ""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a file that is no image
        return _("is not an image (JPEG, PNG, GIF or WebP)"), ""
    finally:
        upload.seek(0)
    if found not in PHOTO_FORMATS:
        return _("is a %(f)s image; JPEG, PNG, GIF or WebP please") % {"f": found}, ""
    return None, PHOTO_FORMATS[found]


def _clean_time(value, errors: dict, *, now: datetime) -> datetime:
    if value is None:
        return now
    if not isinstance(value, datetime):
        errors["occurred_at"] = _("must be a date and time")
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        errors["occurred_at"] = _("must not be in the future")
    return value


# Recording, referring, closing -------------------------------------------------------------


def record_violation(
    actor,
    person,
    *,
    kind: str,
    description: str,
    occurred_at: datetime | None = None,
    photo=None,
    stay: Stay | None = None,
    now: datetime | None = None,
) -> Violation:
    """Record what the person did, with a photo if there is one. The person's current
    stay is linked when none is given."""
    now = now or timezone.now()
    require(actor, C.RECORD_VIOLATIONS, region=person.region_id, person=True)
    errors: dict = {}
    if kind not in Violation.Kind.values:
        errors["kind"] = _("must be one of: %(k)s") % {"k": ", ".join(Violation.Kind.values)}
    description = _text(description, "description", errors, limit=MAX_DESCRIPTION, required=True)
    at = _clean_time(occurred_at, errors, now=now)
    suffix = ""
    if photo:
        problem, suffix = photo_error(photo)
        if problem:
            errors["photo"] = problem
    if stay is not None and stay.person_id != person.pk:
        errors["stay"] = _("is another person's stay")
    if errors:
        raise ValidationError(errors)
    if stay is None:
        stay = (
            Stay.objects.filter(person=person, status__in=ACTIVE_STAY_STATUSES)
            .order_by("-started_at")
            .first()
        )
    with transaction.atomic():
        violation = Violation(
            person=person,
            stay=stay,
            region_id=person.region_id,
            kind=kind,
            occurred_at=at,
            description=description,
            recorded_by=actor,
            recorded_at=now,
        )
        if photo:
            # A name of our own: the uploaded one may carry a person's name or ID number.
            violation.photo.save(f"{uuid4().hex}.{suffix}", photo, save=False)
        violation.save()
        audit.record(
            actor,
            "violation.record",
            violation,
            reason=violation.get_kind_display() + (_(", with a photo") if photo else ""),
        )
    return violation


def public_security_for(region_code: str) -> Unit | None:
    """The public security bureau of the county, else the city's."""
    county, city = region_code[:6], region_code[:4] + "00"
    units = {
        u.region_id: u
        for u in Unit.objects.filter(kind=Unit.Kind.PUBLIC_SECURITY, region_id__in=[county, city])
    }
    return units.get(county) or units.get(city)


def refer_violation(
    actor, violation: Violation, *, note: str = "", now: datetime | None = None
) -> Violation:
    """Refer the case to the public security bureau of the person's county, who are told."""
    now = now or timezone.now()
    require(actor, C.RECORD_VIOLATIONS, region=violation.region_id, person=True)
    errors: dict = {}
    note = _text(note, "note", errors, limit=MAX_NOTE, required=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        violation = Violation.objects.select_for_update().get(pk=violation.pk)
        if violation.status != S.RECORDED:
            raise ValidationError(
                {"status": _("already %(s)s") % {"s": violation.get_status_display()}}
            )
        bureau = public_security_for(violation.region_id)
        if bureau is None:
            raise ValidationError(
                {"referred_to": _("no public security bureau is registered for this county")}
            )
        violation.status, violation.referred_at, violation.referred_to = S.REFERRED, now, bureau
        violation.save(update_fields=["status", "referred_at", "referred_to"])
        audit.record(
            actor,
            "violation.refer",
            violation,
            reason=bureau.name + (f": {note}" if note else ""),
        )
        person = violation.person
        notify(
            bureau,
            _("Violation referred: %(kind)s, %(name)s (%(id)s)")
            % {"kind": violation.get_kind_display(), "name": person.name, "id": person.masked_id},
            violation_url(violation),
        )
    return violation


def close_violation(
    actor, violation: Violation, *, outcome: str, now: datetime | None = None
) -> Violation:
    """The case ends with its outcome (a warning, a fine, a detention, no case)."""
    now = now or timezone.now()
    require(actor, C.RECORD_VIOLATIONS, region=violation.region_id, person=True)
    errors: dict = {}
    outcome = _text(outcome, "outcome", errors, limit=MAX_OUTCOME, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        violation = Violation.objects.select_for_update().get(pk=violation.pk)
        if violation.status == S.CLOSED:
            raise ValidationError({"status": _("the violation is already closed")})
        violation.status, violation.outcome, violation.closed_at = S.CLOSED, outcome, now
        violation.save(update_fields=["status", "outcome", "closed_at"])
        audit.record(actor, "violation.close", violation, reason=outcome)
    return violation


# Reading, audited --------------------------------------------------------------------------


def note_violation_viewed(actor, violation: Violation, *, channel: str = "web") -> None:
    """A user read the violation in full (the person, what they did, the evidence)."""
    audit.record(actor, "violation.view", violation, reason=channel)


def note_photo_opened(actor, violation: Violation, *, channel: str = "web") -> None:
    audit.record(actor, "violation.photo", violation, reason=channel)


def photo_name(violation: Violation) -> str:
    return PurePath(violation.photo.name).name
