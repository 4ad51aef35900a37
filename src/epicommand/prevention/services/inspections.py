"""The inspector's phone form: every item of the unit's checklist (its category's, policy)
passed or failed, photo evidence for each failed item (a JPEG or PNG by content), the score
and the next inspection due. A failure opens a rectification with a deadline and the unit's
responsible person; a re-inspection that passes its items closes it. Refused whole, naming
`items.<code>` or `photos.<code>`: nothing is half-written."""

import uuid
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.counters import bump

from ..models import Inspection, InspectionPhoto, PreventionUnit, Rectification
from ..photos import MAX_PHOTO_BYTES, read_photo
from .units import next_due, risk_level_of

MAX_PHOTOS_PER_ITEM = 3
MAX_NOTE = 500
R = Rectification.Status


def unit_url(unit: PreventionUnit) -> str:
    return reverse("prevention:unit_detail", args=[unit.pk])


def checklist_of(unit: PreventionUnit):
    return policy.active().prevention.category(unit.category).checklist


def _check(checklist, results: dict, photos: dict) -> tuple[dict, dict]:
    """({item code: photo facts}, errors) for the form's answers and uploads."""
    errors: dict = {}
    codes = {item.code for item in checklist}
    for code in sorted(set(results) - codes):
        errors[f"items.{code}"] = _("not an item of this unit's checklist")
    for code in sorted(set(photos) - codes):
        errors[f"photos.{code}"] = _("not an item of this unit's checklist")
    read: dict = {}
    for item in checklist:
        passed = results.get(item.code)
        if not isinstance(passed, bool):
            errors[f"items.{item.code}"] = _("say whether this item passed or failed")
            continue
        uploads = list(photos.get(item.code) or [])
        if len(uploads) > MAX_PHOTOS_PER_ITEM:
            errors[f"photos.{item.code}"] = _("at most %(n)d photos an item") % {
                "n": MAX_PHOTOS_PER_ITEM
            }
            continue
        if not passed and not uploads:
            errors[f"photos.{item.code}"] = _("a failed item needs a photo as evidence")
            continue
        facts = []
        for upload in uploads:
            photo = read_photo(upload)
            if photo is None:
                name = PurePath(getattr(upload, "name", "") or "?").name
                errors[f"photos.{item.code}"] = _(
                    "%(name)s is not a JPEG or PNG photo (checked by its content, at most "
                    "%(mb)d MB)"
                ) % {"name": name, "mb": MAX_PHOTO_BYTES >> 20}
                break
            facts.append((upload, photo))
        read[item.code] = facts
    return read, errors


def inspect_unit(
    actor,
    unit: PreventionUnit,
    *,
    results: dict,
    photos: dict | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Inspection:
    """Record an inspection of `unit`: `results` is {item code: passed}, `photos` is
    {item code: [uploads]}. Returns the inspection; its unit's score, schedule and
    rectification follow in the same transaction."""
    require(actor, Capability.INSPECT_UNITS, region=unit.region_id, person=True)
    now = now or timezone.now()
    rules = policy.active().prevention
    checklist = checklist_of(unit)
    read, errors = _check(checklist, dict(results or {}), dict(photos or {}))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("at most %(n)d characters") % {"n": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    failed = [item.code for item in checklist if not results[item.code]]
    score = round(100 * (len(checklist) - len(failed)) / len(checklist))
    with transaction.atomic():
        unit = PreventionUnit.objects.select_for_update().get(pk=unit.pk)
        level = risk_level_of(unit.region_id)
        inspection = Inspection.objects.create(
            unit=unit,
            region_id=unit.region_id,
            inspector=actor,
            inspected_at=now,
            risk_level=level,
            items=[
                {"code": item.code, "label": str(item.label), "passed": results[item.code]}
                for item in checklist
            ],
            failed=len(failed),
            score=score,
            note=note,
        )
        for code, facts in read.items():
            for upload, photo in facts:
                extension = "jpg" if photo.content_type == "image/jpeg" else "png"
                saved = InspectionPhoto(
                    inspection=inspection,
                    item=code,
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                )
                saved.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=True)
        _follow_rectification(actor, unit, inspection, failed, now, rules)
        unit.score = score
        unit.last_inspected_at = now
        unit.next_due_at = next_due(unit.category, unit.region_id, now)
        unit.save(
            update_fields=["score", "last_inspected_at", "next_due_at", "open_rectifications"]
        )
        bump("prevention_inspections", unit.region_id, day=timezone.localdate(now))
        audit.record(
            actor,
            "prevention.inspect",
            inspection,
            reason=_("score %(s)d, %(f)d failed") % {"s": score, "f": len(failed)},
        )
    return inspection


def _follow_rectification(actor, unit, inspection, failed, now, rules) -> None:
    """Open a rectification for what failed, or close the open one when everything passes;
    one still failing stays open with what fails now, on its first deadline."""
    current = Rectification.objects.select_for_update().filter(unit=unit, status=R.OPEN).first()
    if current is not None:
        if not failed:
            current.status = R.CLOSED
            current.closed_by = inspection
            current.closed_at = now
            current.save(update_fields=["status", "closed_by", "closed_at"])
            unit.open_rectifications = 0
            bump("rectifications_open", unit.region_id, -1, day=timezone.localdate(now))
            audit.record(actor, "prevention.rectification.close", current)
        elif failed != current.items:
            current.items = failed
            current.save(update_fields=["items"])
        return
    if not failed:
        return
    rectification = Rectification.objects.create(
        unit=unit,
        region_id=unit.region_id,
        opened_by=inspection,
        items=failed,
        responsible_name=unit.responsible_name,
        responsible_phone=unit.responsible_phone,
        opened_at=now,
        deadline=now + timedelta(days=rules.rectification_days),
    )
    unit.open_rectifications = 1
    bump("rectifications_open", unit.region_id, day=timezone.localdate(now))
    audit.record(actor, "prevention.rectification.open", rectification, reason=", ".join(failed))
