"""The edit every set-up record shares (checkpoints, quarantine sites, sampling sites,
fever clinics): only the fields the service names may change, the record is checked as it
would be after the change, only what differs is saved, and the audit line names it.

    data = edits.proposed(site, changes, SITE_FIELDS)
    if errors := _site_errors(actor, data):
        raise ValidationError(errors)
    changed = edits.apply(site, data, changes, SITE_FIELDS)
    edits.audit_changes(actor, "sampling_site.update", site, changed, reason)
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import audit


def proposed(record, changes: dict, fields, *, also=()) -> dict:
    """The record's `fields` as they would be after `changes`; names outside `fields`,
    `is_active` and `also` (what the caller handles itself) are refused."""
    if unknown := set(changes) - {*fields, "is_active", *also}:
        raise ValidationError({name: _("cannot be changed") for name in sorted(unknown)})
    data = {name: getattr(record, name) for name in fields}
    data.update({k: v for k, v in changes.items() if k in fields})
    return data


def apply(record, data: dict, changes: dict, fields) -> list[str]:
    """Set and save the fields that differ (and `is_active` when asked); their names."""
    changed = [name for name in fields if getattr(record, name) != data[name]]
    for name in changed:
        setattr(record, name, data[name])
    if "is_active" in changes and bool(changes["is_active"]) != record.is_active:
        record.is_active = bool(changes["is_active"])
        changed.append("is_active")
    if changed:
        record.save(update_fields=changed)
    return changed


def audit_changes(actor, action: str, record, changed: list[str], reason: str = "") -> None:
    """One audit line naming what changed, and why when the user said; none when nothing did."""
    if changed:
        note = "changed " + ", ".join(changed) + (f": {reason}" if reason else "")
        audit.record(actor, action, record, reason=note[:500])
