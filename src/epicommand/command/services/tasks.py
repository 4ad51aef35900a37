"""Daily tasks: the office issues, the assignee decomposes its share, acknowledges, reports
progress and completes with evidence; the issuer may cancel; the overdue check notes every
task past its deadline once; the platform's own state raises tasks in one click.

Each function checks who may act, validates (ValidationError naming the field), writes,
leaves a TaskEvent on the task's trail, one audit event per task changed, bumps the
dashboard's counters and notifies the unit that must know. Every function takes `now` so
that tests and the demo seeding can make time pass without sleeping."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.counters import bump
from epicommand.core.models import Unit
from epicommand.core.notifications import notify

from ..models import Priority, Task, TaskAttachment, TaskEvent
from ..queries import OPEN_STATUSES, assignable_units, descendant_ids

S = Task.Status
MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_FILES = 10
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Share:
    """One child of a decomposed task: who does it, and what (the parent's deadline and
    priority unless given)."""

    assignee: Unit
    title: str
    text: str = ""
    deadline: datetime | None = None
    priority: int | None = None


def task_url(task: Task) -> str:
    return reverse("command:task_detail", args=[task.pk])


# Who may act --------------------------------------------------------------------------------


def _require_unit(actor) -> None:
    """Every step of a task is answered for by a person of a unit (the gate refuses tokens,
    which may only read)."""
    if actor.unit_id is None:
        raise PermissionDenied(_("your account belongs to no unit"))


def _require_assignee(actor, task: Task) -> None:
    _require_unit(actor)
    if actor.unit_id != task.assignee_id:
        raise PermissionDenied(_("only the assigned unit's staff may do this"))


def _locked(task: Task) -> Task:
    """The task's current row, locked until the transaction ends (PostgreSQL; SQLite's
    IMMEDIATE transactions already serialize writers), so two clicks cannot both act."""
    fresh = Task.objects.select_for_update().select_related("assignee", "issuing_unit")
    return fresh.get(pk=task.pk)


def _require_status(task: Task, allowed, *, field: str = "status") -> None:
    if task.status in allowed:
        return
    if task.status == S.ISSUED:
        reason = _("acknowledge the task first")
    elif task.status == S.DONE:
        reason = _("the task is already done")
    elif task.status == S.CANCELLED:
        reason = _("the task was cancelled")
    else:
        reason = _("not possible while the task is %(s)s") % {"s": task.get_status_display()}
    raise ValidationError({field: reason})


# Validation --------------------------------------------------------------------------------


def _clean_text(value, field: str, errors: dict, *, limit: int, required: bool) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        errors[field] = _("must be text")
        return ""
    if required and not value:
        errors[field] = _("is required")
    elif len(value) > limit:
        errors[field] = _("is longer than %(n)d characters") % {"n": limit}
    return value


def _clean_priority(value, field: str, errors: dict) -> int:
    try:
        priority = int(value)
    except (TypeError, ValueError):
        priority = None
    if priority not in Priority.values:
        errors[field] = _("must be 1 (urgent), 2 (high) or 3 (normal)")
        return Priority.NORMAL
    return priority


def _clean_deadline(value, field: str, errors: dict, *, now: datetime, latest=None):
    if not isinstance(value, datetime):
        errors[field] = _("is required (a date and time)")
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # read as Asia/Shanghai, as the office writes it
    if value <= now:
        errors[field] = _("must be in the future")
    elif latest is not None and value > latest:
        errors[field] = _("must not be after the parent task's deadline (%(d)s)") % {
            "d": timezone.localtime(latest).strftime("%Y-%m-%d %H:%M")
        }
    return value


def _clean_files(files, field: str, errors: dict) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        errors[field] = _("at most %(n)d files") % {"n": MAX_FILES}
    for upload in files:
        if upload.size > MAX_FILE_BYTES:
            errors[field] = _("%(name)s is larger than %(mb)d MB") % {
                "name": upload.name,
                "mb": MAX_FILE_BYTES // (1024 * 1024),
            }
        elif upload.size == 0:
            errors[field] = _("%(name)s is empty") % {"name": upload.name}
    return files


def _save_files(task, files, *, kind, actor, now, event=None) -> None:
    for upload in files:
        upload.seek(0)  # the same upload may go with several tasks
        name = PurePath(upload.name or "file").name[:200]
        attachment = TaskAttachment(
            task=task, event=event, kind=kind, name=name, uploaded_by=actor, uploaded_at=now
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


def _event(task, kind, actor, now, *, text="", percent=None) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task, kind=kind, at=now, by=actor, text=text, percent_done=percent
    )


def _unit_names(units) -> str:
    return ", ".join(u.name for u in units)


# Issuing and decomposing -------------------------------------------------------------------


def issue_task(
    actor,
    *,
    title,
    text="",
    priority=Priority.NORMAL,
    deadline,
    assignees,
    attachments=(),
    source_key: str = "",
    now: datetime | None = None,
) -> list[Task]:
    """The actor's unit gives the same work to each assignee: one task per unit, placed in
    the assignee's region. An office issues to the departments of its own region and to the
    command body one level down (the city to county offices, a county to townships)."""
    require(actor, Capability.ISSUE_TASKS, person=True)
    _require_unit(actor)
    now = now or timezone.now()
    errors: dict = {}
    fields = dict(
        title=_clean_text(title, "title", errors, limit=MAX_TITLE, required=True),
        text=_clean_text(text, "text", errors, limit=MAX_TEXT, required=False),
        priority=_clean_priority(priority, "priority", errors),
        deadline=_clean_deadline(deadline, "deadline", errors, now=now),
    )
    units = _clean_assignees(
        assignees, "assignees", errors, allowed=assignable_units(actor.unit, actor.scope_region)
    )
    files = _clean_files(attachments, "attachments", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tasks = [
            _create_task(
                actor,
                unit,
                parent=None,
                issuing_unit=actor.unit,
                now=now,
                source_key=source_key[:100],
                **fields,
            )
            for unit in units
        ]
        for task in tasks:
            _save_files(task, files, kind=TaskAttachment.Kind.BRIEF, actor=actor, now=now)
            audit.record(
                actor,
                "task.issue",
                task,
                reason=_("to %(unit)s") % {"unit": task.assignee.name}
                + (f"; raised from {source_key}" if source_key else ""),
            )
    return tasks


def _clean_assignees(assignees, field: str, errors: dict, *, allowed) -> list[Unit]:
    units = list(assignees or [])
    if not units:
        errors[field] = _("choose at least one unit")
        return []
    ids = [u.pk for u in units]
    if len(set(ids)) != len(ids):
        errors[field] = _("a unit is chosen twice")
        return []
    permitted = set(allowed.filter(pk__in=ids).values_list("pk", flat=True))
    refused = [u for u in units if u.pk not in permitted]
    if refused:
        errors[field] = _("you may not assign tasks to %(units)s") % {"units": _unit_names(refused)}
    return units


def _create_task(actor, unit, *, parent, issuing_unit, now, **fields) -> Task:
    task = Task.objects.create(
        parent=parent,
        issued_by=actor,
        issuing_unit=issuing_unit,
        assignee=unit,
        region_id=unit.region_id,
        created_at=now,
        **fields,
    )
    _event(task, TaskEvent.Kind.ISSUED, actor, now, text=_("to %(unit)s") % {"unit": unit.name})
    day = timezone.localdate(now)
    bump("tasks_issued", task.region_id, day=day)
    bump("tasks_open", task.region_id, day=day)
    notify(unit, _("New task: %(title)s") % {"title": task.title}, task_url(task))
    return task


def decompose_task(actor, task: Task, *, children, now: datetime | None = None) -> list[Task]:
    """The assignee gives parts of its task to its townships and units: each share is a
    child task, due no later than the parent. `children` is a list of Share."""
    require(actor, Capability.ISSUE_TASKS, region=task.region_id, person=True)
    _require_assignee(actor, task)
    now = now or timezone.now()
    shares = list(children or [])
    errors: dict = {}
    if not shares:
        raise ValidationError({"children": _("give at least one share")})
    allowed = assignable_units(task.assignee, task.assignee.region)
    cleaned = []
    for index, share in enumerate(shares):
        prefix = f"children[{index}]."
        row = dict(
            title=_clean_text(
                share.title, prefix + "title", errors, limit=MAX_TITLE, required=True
            ),
            text=_clean_text(share.text, prefix + "text", errors, limit=MAX_TEXT, required=False),
            priority=task.priority
            if share.priority is None
            else _clean_priority(share.priority, prefix + "priority", errors),
            deadline=task.deadline
            if share.deadline is None
            else _clean_deadline(
                share.deadline, prefix + "deadline", errors, now=now, latest=task.deadline
            ),
        )
        _clean_assignees([share.assignee], prefix + "assignee", errors, allowed=allowed)
        cleaned.append((share.assignee, row))
    unit_ids = [unit.pk for unit, _row in cleaned]
    if len(set(unit_ids)) != len(unit_ids):
        errors["children"] = _("a unit is given two shares")
    if task.deadline <= now:
        errors["deadline"] = _("the task is past its deadline; shares cannot be due later")
    with transaction.atomic():
        task = _locked(task)
        _require_status(task, (S.ACKNOWLEDGED, S.IN_PROGRESS))
        if errors:
            raise ValidationError(errors)
        kids = [
            _create_task(actor, unit, parent=task, issuing_unit=task.assignee, now=now, **row)
            for unit, row in cleaned
        ]
        for kid in kids:
            audit.record(
                actor,
                "task.decompose",
                kid,
                reason=_("share of task %(id)s for %(unit)s")
                % {"id": task.pk, "unit": kid.assignee.name},
            )
        _event(
            task,
            TaskEvent.Kind.DECOMPOSED,
            actor,
            now,
            text=_("shares for %(units)s") % {"units": _unit_names(k.assignee for k in kids)},
        )
        if task.status == S.ACKNOWLEDGED:
            task.status = S.IN_PROGRESS
            task.save(update_fields=["status"])
    return kids


# The assignee's steps --------------------------------------------------------------------


def acknowledge_task(actor, task: Task, *, now: datetime | None = None) -> Task:
    require(actor, Capability.WORK_TASKS, region=task.region_id, person=True)
    _require_assignee(actor, task)
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked(task)
        if task.status != S.ISSUED:
            raise ValidationError({"status": _("the task is already acknowledged")})
        task.status, task.acknowledged_at = S.ACKNOWLEDGED, now
        task.save(update_fields=["status", "acknowledged_at"])
        _event(task, TaskEvent.Kind.ACKNOWLEDGED, actor, now)
        audit.record(actor, "task.acknowledge", task)
    return task


def report_progress(actor, task: Task, *, percent, text, now: datetime | None = None) -> Task:
    require(actor, Capability.WORK_TASKS, region=task.region_id, person=True)
    _require_assignee(actor, task)
    now = now or timezone.now()
    errors: dict = {}
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        percent = None
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = _("must be a whole number from 0 to 100")
    text = _clean_text(text, "text", errors, limit=MAX_TEXT, required=True)
    with transaction.atomic():
        task = _locked(task)
        _require_status(task, (S.ACKNOWLEDGED, S.IN_PROGRESS))
        if errors:
            raise ValidationError(errors)
        task.status = S.IN_PROGRESS
        task.save(update_fields=["status"])
        _event(task, TaskEvent.Kind.PROGRESS, actor, now, text=text, percent=percent)
        audit.record(actor, "task.progress", task, reason=f"{percent}%")
    return task


def open_children(task: Task):
    return task.children.filter(status__in=OPEN_STATUSES).select_related("assignee")


def complete_task(actor, task: Task, *, text, evidence=(), now: datetime | None = None) -> Task:
    """Done, with an account of what was done and files to show it. A decomposed task is
    done only when every share is done or cancelled."""
    require(actor, Capability.WORK_TASKS, region=task.region_id, person=True)
    _require_assignee(actor, task)
    now = now or timezone.now()
    errors: dict = {}
    text = _clean_text(text, "text", errors, limit=MAX_TEXT, required=True)
    files = _clean_files(evidence, "evidence", errors)
    with transaction.atomic():
        task = _locked(task)
        _require_status(task, (S.ACKNOWLEDGED, S.IN_PROGRESS))
        still_open = list(open_children(task).order_by("id"))
        if still_open:
            # The task's own state, not a field of the request: the shares are its children.
            errors["status"] = _("%(n)d shares are still open: %(list)s") % {
                "n": len(still_open),
                "list": "; ".join(
                    f"{kid.assignee.name}: {kid.title} ({kid.get_status_display()})"
                    for kid in still_open
                ),
            }
        if errors:
            raise ValidationError(errors)
        task.status, task.completed_at = S.DONE, now
        task.save(update_fields=["status", "completed_at"])
        event = _event(task, TaskEvent.Kind.COMPLETED, actor, now, text=text, percent=100)
        _save_files(
            task, files, kind=TaskAttachment.Kind.EVIDENCE, actor=actor, now=now, event=event
        )
        _closed(task, "tasks_done", now)
        audit.record(
            actor, "task.complete", task, reason=_("%(n)d evidence files") % {"n": len(files)}
        )
        notify(
            task.issuing_unit,
            _("Task done by %(unit)s: %(title)s")
            % {"unit": task.assignee.name, "title": task.title},
            task_url(task),
        )
    return task


def _closed(task: Task, flow_metric: str | None, now: datetime) -> None:
    day = timezone.localdate(now)
    if flow_metric:
        bump(flow_metric, task.region_id, day=day)
    bump("tasks_open", task.region_id, -1, day=day)
    if task.overdue_noted_at is not None:
        bump("tasks_overdue", task.region_id, -1, day=day)


def cancel_task(actor, task: Task, *, reason, now: datetime | None = None) -> list[Task]:
    """The issuing unit withdraws a task; its open shares go with it."""
    require(actor, Capability.ISSUE_TASKS, region=task.region_id, person=True)
    _require_unit(actor)
    if actor.unit_id != task.issuing_unit_id:
        raise PermissionDenied(_("only the issuing unit may cancel a task"))
    now = now or timezone.now()
    errors: dict = {}
    reason = _clean_text(reason, "reason", errors, limit=500, required=True)
    with transaction.atomic():
        task = _locked(task)
        _require_status(task, OPEN_STATUSES)
        if errors:
            raise ValidationError(errors)
        ids = [task.pk, *descendant_ids([task.pk])]
        cancelled = list(
            Task.objects.select_for_update()
            .filter(pk__in=ids, status__in=OPEN_STATUSES)
            .select_related("assignee")
            .order_by("id")
        )
        for each in cancelled:
            each.status = S.CANCELLED
            each.save(update_fields=["status"])
            note = (
                reason
                if each.pk == task.pk
                else _("with task %(id)s: %(r)s") % {"id": task.pk, "r": reason}
            )
            _event(each, TaskEvent.Kind.CANCELLED, actor, now, text=note)
            _closed(each, None, now)
            audit.record(actor, "task.cancel", each, reason=note)
            notify(
                each.assignee,
                _("Task cancelled: %(title)s") % {"title": each.title},
                task_url(each),
            )
    return cancelled


def note_attachment_opened(actor, attachment: TaskAttachment, *, channel: str = "web") -> None:
    """Evidence may name persons (lists, photos): who opened which file is logged."""
    audit.record(
        actor,
        "task.attachment.view",
        attachment,
        region_code=attachment.task.region_id,
        reason=f"{attachment.name} ({channel})",
    )


# The overdue check -------------------------------------------------------------------------

OVERDUE_BATCH = 500


def detect_overdue_tasks(now: datetime | None = None) -> list[Task]:
    """Note every open task past its deadline, once: stamp it, put OVERDUE on its trail,
    audit it, count it and tell both the assignee and the issuing unit. Safe to run from
    several workers at once: a task is claimed by a conditional UPDATE before anything else
    is written, and only the worker whose update changed the row goes on."""
    now = now or timezone.now()
    noted = []
    while True:
        batch = list(
            Task.objects.filter(
                status__in=OPEN_STATUSES, deadline__lt=now, overdue_noted_at__isnull=True
            )
            .select_related("assignee", "issuing_unit")
            .order_by("deadline", "id")[:OVERDUE_BATCH]
        )
        if not batch:
            return noted
        for task in batch:
            if _note_overdue(task, now):
                noted.append(task)


def _note_overdue(task: Task, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Task.objects.filter(
            pk=task.pk, overdue_noted_at__isnull=True, status__in=OPEN_STATUSES
        ).update(overdue_noted_at=now)
        if not claimed:
            return False
        task.overdue_noted_at = now
        late = _("deadline %(d)s") % {
            "d": timezone.localtime(task.deadline).strftime("%Y-%m-%d %H:%M")
        }
        _event(task, TaskEvent.Kind.OVERDUE, None, now, text=late)
        audit.record(None, "task.overdue", task, reason=late)
        bump("tasks_overdue", task.region_id, day=timezone.localdate(now))
        message = _("Overdue: %(title)s (%(unit)s, %(late)s)") % {
            "title": task.title,
            "unit": task.assignee.name,
            "late": late,
        }
        notify(task.assignee, message, task_url(task))
        if task.issuing_unit_id != task.assignee_id:
            notify(task.issuing_unit, message, task_url(task))
    return True


# Raised from the platform's own state -------------------------------------------------------


def raise_task_from_state(actor, alert, *, now: datetime | None = None) -> Task:
    """Issue the task an alert proposes (command.alerts), unless a task raised from the
    same alert is still open."""
    require(actor, Capability.ISSUE_TASKS, person=True)
    _require_unit(actor)
    earlier = (
        Task.objects.filter(source_key=alert.key, status__in=OPEN_STATUSES).order_by("id").first()
    )
    if earlier is not None:
        raise ValidationError(
            {"key": _("already raised as task %(id)s, still open") % {"id": earlier.pk}}
        )
    (task,) = issue_task(
        actor,
        title=alert.title,
        text=alert.text,
        priority=alert.priority,
        deadline=alert.deadline,
        assignees=[alert.assignee],
        source_key=alert.key,
        now=now,
    )
    return task
