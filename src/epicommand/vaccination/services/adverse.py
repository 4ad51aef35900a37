"""Adverse events following immunization: reported at the site (or by the doctor who
sees the person), then followed by the disease-control staff until closed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require

from ..models import AdverseEvent, Dose


def report(actor, dose: Dose, *, severity, symptoms, onset_at) -> AdverseEvent:
    require(actor, Capability.VACCINATE, Capability.FOLLOW_ADVERSE_EVENTS, region=dose.region_id)
    errors = {}
    symptoms = (symptoms or "").strip()
    if severity not in AdverseEvent.Severity.values:
        errors["severity"] = _("choose mild or serious")
    if not symptoms:
        errors["symptoms"] = _("describe the symptoms")
    if onset_at is None or onset_at < dose.given_at:
        errors["onset_at"] = _("the onset cannot be before the dose")
    elif onset_at > timezone.now():
        errors["onset_at"] = _("is in the future")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            dose=dose,
            severity=severity,
            symptoms=symptoms[:300],
            onset_at=onset_at,
            reported_by=actor if getattr(actor, "is_person", False) else None,
            region_id=dose.region_id,
        )
        audit.record(actor, "vaccination.aefi.report", event, reason=severity)
    return event


def follow(actor, event: AdverseEvent, *, note, outcome="", close=False) -> AdverseEvent:
    """A follow-up note; with `close`, the outcome ends it."""
    require(actor, Capability.FOLLOW_ADVERSE_EVENTS, region=event.region_id)
    note, outcome = (note or "").strip(), (outcome or "").strip()
    errors = {}
    if event.state == AdverseEvent.State.CLOSED:
        errors["note"] = _("this event is closed")
    elif not note:
        errors["note"] = _("write what was found")
    if close and not outcome:
        errors["outcome"] = _("give the outcome to close the event")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        event.notes = (event.notes + "\n" if event.notes else "") + f"{stamp} {note}"
        event.state = AdverseEvent.State.CLOSED if close else AdverseEvent.State.FOLLOWING
        if close:
            event.outcome, event.closed_at = outcome[:200], now
        event.save(update_fields=["notes", "state", "outcome", "closed_at"])
        audit.record(actor, "vaccination.aefi.follow", event, reason=event.state)
    return event
