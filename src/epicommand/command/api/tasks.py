"""/api/v1/tasks: daily tasks, their trees, the assignee's steps and tasks raised from the
platform's own state. Every read starts from Task.objects.visible_to(caller); a task outside
the caller's jurisdiction is 404. Changes go through command.services.tasks (audited) and
need a person's account: API tokens read only."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, day_filter, region_filter
from epicommand.core.keyset import MAX_ID
from epicommand.core.models import Unit

from .. import alerts, queries
from ..models import Task, TaskAttachment
from ..services import tasks as services

router = Router(tags=["tasks"])

STATUS_FILTER = "^(open|issued|acknowledged|in_progress|done|cancelled)$"
ISSUED_DAY = day_filter("the Beijing day the tasks were issued")
DONE_DAY = day_filter("the Beijing day the tasks were completed")


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str = Field(alias="region_id")


class TaskOut(Schema):
    id: int
    title: str
    text: str
    priority: int = Field(description="1 urgent, 2 high, 3 normal")
    status: str
    deadline: datetime
    overdue: bool = Field(description="open and past its deadline")
    parent_id: int | None
    issuing_unit: UnitOut
    assignee: UnitOut
    region_code: str = Field(alias="region_id")
    source_key: str = Field(description="the alert it was raised from, if any")
    created_at: datetime
    acknowledged_at: datetime | None
    completed_at: datetime | None
    overdue_noted_at: datetime | None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class TaskPage(Schema):
    items: list[TaskOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class TaskNodeOut(Schema):
    """A node of the task's tree, depth first; `parent_id` links it to the node above."""

    id: int = Field(alias="task.id")
    parent_id: int | None = Field(alias="task.parent_id")
    depth: int
    title: str = Field(alias="task.title")
    status: str = Field(alias="task.status")
    assignee: UnitOut = Field(alias="task.assignee")
    deadline: datetime = Field(alias="task.deadline")
    overdue: bool
    children_done: int
    children_total: int = Field(description="shares, cancelled ones left out")
    acknowledge_seconds: int | None = Field(description="from issued to acknowledged")
    completion_seconds: int | None = Field(description="from acknowledged to completed")

    @staticmethod
    def resolve_acknowledge_seconds(node) -> int | None:
        return _seconds(node.acknowledge_time)

    @staticmethod
    def resolve_completion_seconds(node) -> int | None:
        return _seconds(node.completion_time)


def _seconds(delta) -> int | None:
    return None if delta is None else int(delta.total_seconds())


class AttachmentOut(Schema):
    id: int
    kind: str = Field(description="brief (given with the task) or evidence (of completion)")
    name: str
    event_id: int | None
    uploaded_at: datetime


class EventOut(Schema):
    id: int
    kind: str
    at: datetime
    by: str | None = Field(description="user name; null for the platform's own checks")
    text: str
    percent_done: int | None

    @staticmethod
    def resolve_by(event) -> str | None:
        return event.by.username if event.by_id else None


class TaskDetailOut(Schema):
    task: TaskOut
    tree: list[TaskNodeOut]
    events: list[EventOut]
    attachments: list[AttachmentOut]


class TaskIssueIn(Schema):
    title: str = Field(max_length=200)
    text: str = Field("", max_length=10_000)
    priority: int = Field(3, ge=1, le=3, description="1 urgent, 2 high, 3 normal")
    deadline: datetime = Field(description="in the future; without a zone, Asia/Shanghai")
    assignee_ids: list[int] = Field(min_length=1, max_length=200)


class ShareIn(Schema):
    assignee_id: int
    title: str = Field(max_length=200)
    text: str = Field("", max_length=10_000)
    deadline: datetime | None = Field(None, description="the parent's deadline if omitted")
    priority: int | None = Field(None, ge=1, le=3, description="the parent's if omitted")


class DecomposeIn(Schema):
    children: list[ShareIn] = Field(min_length=1, max_length=200)


class ProgressIn(Schema):
    percent: int = Field(ge=0, le=100)
    text: str = Field(max_length=10_000)


class CancelIn(Schema):
    reason: str = Field(max_length=500)


class AlertOut(Schema):
    key: str
    title: str
    text: str
    priority: int
    assignee: UnitOut
    deadline: datetime
    open_task_id: int | None = Field(description="the open task already raised from it")


class RaiseIn(Schema):
    key: str = Field(max_length=100)


def _visible(who, task_id: int) -> Task:
    require(who, Capability.VIEW_TASKS)
    return queries.visible_task(who, task_id)


def _units(ids: list[int], field: str) -> list[Unit]:
    found = Unit.objects.select_related("region").in_bulk([i for i in ids if 0 < i <= MAX_ID])
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"unknown unit id: {', '.join(missing)}"})
    return [found[i] for i in ids]


@router.get("", response={200: TaskPage, **ERRORS}, summary="List tasks")
def list_tasks(
    request,
    status: str = Query("", pattern=f"{STATUS_FILTER}|^$"),
    overdue: bool = False,
    priority: int | None = Query(None, ge=1, le=3),
    assignee: int | None = Query(None, ge=1, le=MAX_ID, description="assigned unit id"),
    region: str | None = region_filter(),
    issued: date | None = ISSUED_DAY,
    done: date | None = DONE_DAY,
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Tasks in your jurisdiction, newest first (a county sees its own; the city office
    all). `status=open` means issued, acknowledged or in progress; `region` a county's or
    township's code (the city's code means the whole city); `issued` and `done` a day
    (Beijing time) the tasks were issued or completed."""
    require(request.auth, Capability.VIEW_TASKS)
    rows, next_after = queries.task_page(
        request.auth,
        after=after,
        limit=limit,
        status=status,
        overdue=overdue,
        priority=priority,
        assignee_id=assignee,
        region=region or "",
        issued=issued,
        done=done,
    )
    return {"items": rows, "next_after": next_after}


@router.get("/overdue", response={200: TaskPage, **ERRORS}, summary="Overdue tasks")
def list_overdue_tasks(
    request,
    after: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Open tasks past their deadline in your jurisdiction, newest first."""
    require(request.auth, Capability.VIEW_TASKS)
    rows, next_after = queries.task_page(request.auth, after=after, limit=limit, overdue=True)
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: list[TaskOut], **ERRORS}, summary="Issue a task")
def issue_task(request, payload: TaskIssueIn):
    """One task per assigned unit (departments of your region, command offices one level
    down). Brief files are attached in the web form."""
    require(request.auth, Capability.ISSUE_TASKS)
    tasks = services.issue_task(
        request.auth,
        title=payload.title,
        text=payload.text,
        priority=payload.priority,
        deadline=payload.deadline,
        assignees=_units(payload.assignee_ids, "assignee_ids"),
    )
    return Status(201, tasks)


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, summary="Alerts to raise")
def list_alerts(request):
    """What the platform's state says needs a task now, for the units you give work to."""
    require(request.auth, Capability.ISSUE_TASKS)
    return alerts.current_alerts(request.auth)


@router.post("/alerts/raise", response={201: TaskOut, **ERRORS}, summary="Raise an alert")
def raise_alert(request, payload: RaiseIn):
    """Issue the task an alert proposes; refused while a task raised from it is open."""
    require(request.auth, Capability.ISSUE_TASKS)
    alert = alerts.find_alert(request.auth, payload.key)
    if alert is None:
        raise ValidationError({"key": "no such alert now"})
    return Status(201, services.raise_task_from_state(request.auth, alert))


@router.get("/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="One task")
def get_task(request, task_id: int):
    """The task, its tree (shares as far as you may see, depth first), its trail and its
    files."""
    task = _visible(request.auth, task_id)
    return {
        "task": task,
        "tree": queries.task_tree(request.auth, task),
        "events": queries.task_trail(task),
        "attachments": list(task.attachments.order_by("id")),
    }


@router.get(
    "/{task_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="Download a task's file",
    openapi_extra={"responses": {200: {"content": {"application/octet-stream": {}}}}},
)
def download_attachment(request, task_id: int, attachment_id: int):
    task = _visible(request.auth, task_id)
    attachment = get_object_or_404(TaskAttachment, pk=attachment_id, task=task)
    services.note_attachment_opened(request.auth, attachment, channel="api")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@router.post(
    "/{task_id}/decompose", response={201: list[TaskOut], **ERRORS}, summary="Decompose a task"
)
def decompose_task(request, task_id: int, payload: DecomposeIn):
    """The assigned unit gives shares to its townships and units, due no later than the
    task."""
    task = _visible(request.auth, task_id)
    units = _units([c.assignee_id for c in payload.children], "children")
    shares = [
        services.Share(
            assignee=unit, title=c.title, text=c.text, deadline=c.deadline, priority=c.priority
        )
        for unit, c in zip(units, payload.children, strict=True)
    ]
    return Status(201, services.decompose_task(request.auth, task, children=shares))


@router.post(
    "/{task_id}/acknowledge", response={200: TaskOut, **ERRORS}, summary="Acknowledge a task"
)
def acknowledge_task(request, task_id: int):
    return services.acknowledge_task(request.auth, _visible(request.auth, task_id))


@router.post("/{task_id}/progress", response={200: TaskOut, **ERRORS}, summary="Report progress")
def report_progress(request, task_id: int, payload: ProgressIn):
    task = _visible(request.auth, task_id)
    return services.report_progress(request.auth, task, percent=payload.percent, text=payload.text)


@router.post("/{task_id}/complete", response={200: TaskOut, **ERRORS}, summary="Complete a task")
def complete_task(
    request,
    task_id: int,
    text: Form[str],
    evidence: File[list[UploadedFile]] = None,
):
    """multipart/form-data: `text` says what was done, `evidence` files show it. Refused
    while a share of the task is open."""
    task = _visible(request.auth, task_id)
    return services.complete_task(request.auth, task, text=text, evidence=evidence or [])


@router.post("/{task_id}/cancel", response={200: list[TaskOut], **ERRORS}, summary="Cancel")
def cancel_task(request, task_id: int, payload: CancelIn):
    """The issuing unit withdraws the task and its open shares; returns what was cancelled."""
    task = _visible(request.auth, task_id)
    return services.cancel_task(request.auth, task, reason=payload.reason)
