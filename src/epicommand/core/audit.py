"""Writing the audit log. Services call `record` for every change; views and exports of
an identified person call it too. There is no other way in."""

from .middleware import current_request_id
from .models import ApiToken, AuditEvent


def record(
    actor,
    action: str,
    obj=None,
    *,
    region_code: str | None = None,
    reason: str = "",
    object_type: str | None = None,
    object_id=None,
) -> AuditEvent:
    if region_code is None and obj is not None:
        region_code = getattr(obj, "region_id", None)
    is_token = isinstance(actor, ApiToken)
    return AuditEvent.objects.create(
        actor=None if is_token or actor is None else actor,
        actor_token=actor if is_token else None,
        actor_name=_actor_name(actor),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "") or ""),
        region_id=region_code,
        reason=reason[:500],
        request_id=current_request_id.get(),
    )


def record_many(actor, action: str, objs, *, reason="") -> int:
    """`record` for a batch of records changed the same way, in one bulk write. `reason`
    is a text, or a function giving each record's."""
    is_token = isinstance(actor, ApiToken)
    events = [
        AuditEvent(
            actor=None if is_token or actor is None else actor,
            actor_token=actor if is_token else None,
            actor_name=_actor_name(actor),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            region_id=getattr(obj, "region_id", None),
            reason=(reason(obj) if callable(reason) else reason)[:500],
            request_id=current_request_id.get(),
        )
        for obj in objs
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, ApiToken):
        return f"token:{actor.key_prefix}"
    return actor.get_username()
