"""Deciding a stage. Only the stage awaiting decision may be decided (an approval out of
stage order is refused), by an account of the stage's own region (the village's, the
township's, the county's) or unit, from a person's account. Approving hands the application
to the next stage with its deadline, or approves it at the last; refusing ends it with the
approver's reason."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require

from .. import queries
from ..models import Application, Stage
from . import routing

MAX_NOTE = 300


def may_decide(actor, stage: Stage) -> bool:
    return Stage.objects.filter(queries.addressed_to(actor), pk=stage.pk).exists()


def decide(
    actor, stage: Stage, *, approve: bool, note: str = "", now: datetime | None = None
) -> Stage:
    now = now or timezone.now()
    require(actor, Capability.APPROVE_GATHERINGS, person=True)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("say why the application is refused")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("at most %(n)d characters") % {"n": MAX_NOTE}})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=stage.application_id)
        stage = Stage.objects.get(pk=stage.pk)
        if not may_decide(actor, stage):
            raise PermissionDenied(
                _("this stage is decided by the %(a)s")
                % {"a": routing.approver_label(stage.approver)}
            )
        if stage.state != Stage.State.CURRENT or application.status != Application.Status.PENDING:
            raise ValidationError({"stage": _out_of_order(application, stage)})
        stage.state = Stage.State.APPROVED if approve else Stage.State.REFUSED
        stage.decided_by, stage.decided_at, stage.note = actor, now, note
        stage.save(update_fields=["state", "decided_by", "decided_at", "note"])
        following = (
            Stage.objects.filter(application=application, order__gt=stage.order)
            .order_by("order")
            .first()
        )
        if not approve:
            application.status = Application.Status.REFUSED
            application.refusal_reason = note
            application.decided_at = now
        elif following is None:
            application.status = Application.Status.APPROVED
            application.decided_at = now
        else:
            hours = policy.active().gatherings.stage_hours.get(following.approver, 48)
            following.state = Stage.State.CURRENT
            following.due_at = now + timedelta(hours=hours)
            following.save(update_fields=["state", "due_at"])
        application.save(update_fields=["status", "refusal_reason", "decided_at"])
        audit.record(
            actor,
            "application.approve" if approve else "application.refuse",
            application,
            reason=f"{routing.approver_label(stage.approver)}: {note}".strip(": "),
        )
    return stage


def _out_of_order(application: Application, stage: Stage) -> str:
    if application.status != Application.Status.PENDING:
        return _("the application is already %(s)s") % {"s": application.get_status_display()}
    if stage.state == Stage.State.WAITING:
        return _("an earlier stage has not decided yet")
    return _("this stage has already decided")
