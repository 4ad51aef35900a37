"""Writing the audit log. Services call `record` for every change; views and exports of
an identified person call it too. There is no other way in."""

from django.utils import timezone

from .bulk import bulk_insert, naive_utc
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


AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_token_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "region_id",
    "reason",
    "request_id",
)


def record_many(actor, action: str, objs, *, reason="") -> int:
    """`record` for a batch of records changed the same way, in one write through the
    bulk path (a batch of suspected cases brings thousands of contacts). `reason` is a
    text, or a function giving each record's."""
    is_token = isinstance(actor, ApiToken)
    head = (
        naive_utc(timezone.now()),
        None if is_token or actor is None else actor.pk,
        actor.pk if is_token else None,
        _actor_name(actor),
        action,
    )
    request_id = current_request_id.get()
    rows = (
        (
            *head,
            obj._meta.label_lower,
            str(obj.pk),
            getattr(obj, "region_id", None),
            (reason(obj) if callable(reason) else reason)[:500],
            request_id,
        )
        for obj in objs
    )
    return bulk_insert(AuditEvent._meta.db_table, AUDIT_COLUMNS, rows)


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, ApiToken):
        return f"token:{actor.key_prefix}"
    return actor.get_username()
