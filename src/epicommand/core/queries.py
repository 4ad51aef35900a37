"""Reads owned by core that pages and the API share: the protocol editions, the one in
force, and the city office's choices (scheduled, in force, superseded); the API tokens
awaiting a second person's approval."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import policy
from .access import grants_persons, scope_q
from .models import ApiToken, EditionChoice

# The figures an office compares between editions, in the order the protocol gives them.
KEY_FIGURES = (
    ("lookback_days", _("look-back before onset or sampling (days)")),
    ("close_contact_centralized_days", _("close contact: centralized quarantine (days)")),
    ("close_contact_home_days", _("close contact: home monitoring after (days)")),
    ("close_contact_test_days", _("close contact: test days")),
    ("home_monitoring_test_days", _("home monitoring: test days")),
    ("release_needs_double_test", _("release needs two negative tests")),
    ("secondary_contact_at_home", _("secondary contacts quarantined at home")),
    ("risk_visit_window_days", _("a visit to a risk area counts within (days)")),
    ("risk_area_rule", _("risk area rule")),
    ("inbound_centralized_days", _("inbound: centralized quarantine (days)")),
    ("inbound_home_days", _("inbound: home monitoring after (days)")),
)


class Status:
    SCHEDULED = "scheduled"
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"


STATUS_LABELS = {
    Status.SCHEDULED: _("scheduled"),
    Status.IN_FORCE: pgettext_lazy("edition", "in force"),
    Status.SUPERSEDED: _("superseded"),
}


@dataclass(frozen=True)
class EditionsOverview:
    in_force: policy.ProtocolEdition
    default: policy.ProtocolEdition  # the PROTOCOL_EDITION setting, before any choice
    editions: list[policy.ProtocolEdition]
    choices: list[EditionChoice]  # newest moment first, each with its `status`


def editions_overview(now: datetime | None = None) -> EditionsOverview:
    """Every edition, the one in force `now`, and every choice with its status: at most
    one is in force (the latest whose moment has come); earlier ones are superseded."""
    now = now or timezone.now()
    choices = list(
        EditionChoice.objects.select_related("chosen_by").order_by("-in_force_from", "-id")
    )
    current = next((c for c in choices if c.in_force_from <= now), None)
    for choice in choices:
        if choice.in_force_from > now:
            choice.status = Status.SCHEDULED
        else:
            choice.status = Status.IN_FORCE if choice is current else Status.SUPERSEDED
        choice.status_label = STATUS_LABELS[choice.status]
    return EditionsOverview(
        in_force=policy.active(at=now),
        default=policy.EDITIONS[settings.PROTOCOL_EDITION],
        editions=list(policy.EDITIONS.values()),
        choices=choices,
    )


def figure_rows(editions) -> list[tuple[str, list[str]]]:
    """The key figures as table rows: a label, then each edition's value in words."""
    rows = []
    for name, label in KEY_FIGURES:
        values = [_shown(getattr(edition, name)) for edition in editions]
        rows.append((label, values))
    return rows


def _shown(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def tokens_awaiting(approver) -> list[ApiToken]:
    """The tokens awaiting approval that `approver` may approve: inside their scope, not
    issued by them, and reading no one beyond what they read (approve_api_token's rule).
    Few tokens ever wait, so the role test runs on the scoped rows in Python."""
    waiting = (
        ApiToken.objects.filter(scope_q(approver, "region_id"))
        .filter(approved_at__isnull=True, revoked_at__isnull=True)
        .exclude(created_by=approver)
        .select_related("unit", "region", "created_by")
        .order_by("id")
    )
    return [t for t in waiting if grants_persons(approver, t.role, t.region_id)]


def token_awaiting(approver, token_id: int) -> ApiToken | None:
    """One token awaiting approval inside `approver`'s scope (None: not theirs to see)."""
    return (
        ApiToken.objects.filter(scope_q(approver, "region_id"))
        .filter(pk=token_id, approved_at__isnull=True, revoked_at__isnull=True)
        .select_related("region")
        .first()
    )


def tokens_awaiting_count(approver) -> int:
    """The menu's badge: how many tokens wait for this approver."""
    return len(tokens_awaiting(approver))
