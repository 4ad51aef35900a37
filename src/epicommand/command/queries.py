"""Scoped reads of command records: every one starts from `visible_to(user)`.

Tasks: the list a user sees (filters, keyset pages), a task's tree without N+1 (the subtree
fetched level by level), its trail, and which units a unit may give work to."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core.access import region_q, scope_q
from epicommand.core.models import Region, Unit

from .models import Task, TaskEvent

S = Task.Status
OPEN_STATUSES = (S.ISSUED, S.ACKNOWLEDGED, S.IN_PROGRESS)
PAGE_SIZE = 50
# City > county > township > village unit: trees are 3 or 4 deep; the bound only guards
# against a runaway chain.
MAX_TREE_DEPTH = 6
# What the list's status filter offers beyond the statuses themselves.
OPEN = "open"


# Who may be given work -------------------------------------------------------------------


def assignable_units(unit: Unit | None, region: Region | None):
    """The units `unit` (at `region`) may give work to: the other units of its own region
    (its departments), the command body one level down (a county's command office, a
    township's government) and its own subordinate units, all inside `region`. The leading
    group is not given tasks: its office acts for it."""
    if unit is None or region is None:
        return Unit.objects.none()
    K = Unit.Kind
    one_level_down = Q(region__parent=region, kind__in=[K.COMMAND_OFFICE, K.TOWNSHIP_GOVERNMENT])
    return (
        Unit.objects.filter(Q(region=region) | one_level_down | Q(parent=unit))
        .filter(region_q(region.code, "region_id"))
        .exclude(pk=unit.pk)
        .exclude(kind=K.LEADING_GROUP)
        .select_related("region")
        .order_by("region_id", "kind", "id")
    )


def units_in_scope(user):
    """Units inside the user's jurisdiction, for the list's assignee filter."""
    return Unit.objects.filter(scope_q(user, "region_id")).order_by("region_id", "kind", "id")


# Lists -------------------------------------------------------------------------------------


def filter_tasks(
    tasks,
    *,
    status: str = "",
    overdue: bool = False,
    priority: int | None = None,
    assignee_id: int | None = None,
    region: str = "",
    issued: date | None = None,
    done: date | None = None,
    now: datetime | None = None,
):
    """`region` is a region code (the city's means all its counties); `issued` and `done`
    are Beijing days: the tasks issued, or completed, that day (the dashboard's links)."""
    if region:
        area = Region.objects.filter(code=region).first()
        if area is None:
            return tasks.none()
        tasks = tasks.filter(region_q(area.code, "region_id"))
    if issued:
        tasks = tasks.filter(created_at__gte=_midnight(issued), created_at__lt=_midnight(issued, 1))
    if done:
        tasks = tasks.filter(
            status=S.DONE, completed_at__gte=_midnight(done), completed_at__lt=_midnight(done, 1)
        )
    if status == OPEN:
        tasks = tasks.filter(status__in=OPEN_STATUSES)
    elif status:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(status__in=OPEN_STATUSES, deadline__lt=now or timezone.now())
    if priority:
        tasks = tasks.filter(priority=priority)
    if assignee_id:
        tasks = tasks.filter(assignee_id=assignee_id)
    return tasks


def _midnight(day: date, plus_days: int = 0) -> datetime:
    """The start of a Beijing day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))


def task_page(
    user, *, after: int | None = None, limit: int = PAGE_SIZE, now=None, **filters
) -> tuple[list[Task], int | None]:
    """One page of the tasks the user sees, newest first, each with its shares counted
    (`children_done`, `children_total`, cancelled shares left out) and `overdue` set; the
    cursor of the next page or None."""
    now = now or timezone.now()
    tasks = filter_tasks(Task.objects.visible_to(user), now=now, **filters)
    if after:
        tasks = tasks.filter(id__lt=after)
    rows = list(
        tasks.select_related("assignee", "issuing_unit", "region")
        .annotate(
            children_total=Count("children", filter=~Q(children__status=S.CANCELLED)),
            children_done=Count("children", filter=Q(children__status=S.DONE)),
        )
        .order_by("-id")[: limit + 1]
    )
    for task in rows:
        task.overdue = task.is_overdue(now)
    more = len(rows) > limit
    return rows[:limit], rows[limit - 1].pk if more else None


def visible_task(user, task_id: int) -> Task:
    """The task if the user may see it, else 404 (whether or not it exists)."""
    tasks = Task.objects.visible_to(user).select_related(
        "assignee", "issuing_unit", "region", "issued_by", "parent"
    )
    return get_object_or_404(tasks, pk=task_id)


def parent_if_visible(user, task: Task) -> Task | None:
    if task.parent_id is None:
        return None
    return Task.objects.visible_to(user).filter(pk=task.parent_id).first()


# The tree ----------------------------------------------------------------------------------


@dataclass
class TaskNode:
    """A task in its tree: its own status, its shares' progress and how long each step
    took (issued to acknowledged, acknowledged to completed)."""

    task: Task
    depth: int
    overdue: bool = False
    children_done: int = 0
    children_total: int = 0
    children: list["TaskNode"] = field(default_factory=list, repr=False)

    @property
    def acknowledge_time(self) -> timedelta | None:
        t = self.task
        return t.acknowledged_at - t.created_at if t.acknowledged_at else None

    @property
    def completion_time(self) -> timedelta | None:
        t = self.task
        if t.completed_at and t.acknowledged_at:
            return t.completed_at - t.acknowledged_at
        return None

    @property
    def acknowledge_took(self) -> str:
        return format_duration(self.acknowledge_time)

    @property
    def completion_took(self) -> str:
        return format_duration(self.completion_time)


def task_tree(user, root: Task, *, max_depth: int = MAX_TREE_DEPTH, now=None) -> list[TaskNode]:
    """The root and its shares, depth first, as far as the user may see: one query per
    level (ids collected level by level), plus one to count the shares of the deepest
    level shown."""
    now = now or timezone.now()
    root_node = TaskNode(root, 0, overdue=root.is_overdue(now))
    by_id = {root.pk: root_node}
    frontier = [root.pk]
    visible = Task.objects.visible_to(user).select_related("assignee", "region")
    for depth in range(1, max_depth + 1):
        level = list(visible.filter(parent_id__in=frontier).order_by("id"))
        if not level:
            frontier = []
            break
        for task in level:
            node = TaskNode(task, depth, overdue=task.is_overdue(now))
            by_id[task.pk] = node
            parent = by_id[task.parent_id]
            parent.children.append(node)
            _count_share(parent, task.status)
        frontier = [task.pk for task in level]
    if frontier:  # the depth bound cut the tree: count what lies below without showing it
        below = (
            visible.filter(parent_id__in=frontier)
            .values("parent_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in below:
            _count_share(by_id[row["parent_id"]], row["status"], row["n"])
    ordered: list[TaskNode] = []
    stack = [root_node]
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(node.children))
    return ordered


def _count_share(node: TaskNode, status: str, n: int = 1) -> None:
    if status != S.CANCELLED:
        node.children_total += n
    if status == S.DONE:
        node.children_done += n


def descendant_ids(ids, *, max_depth: int = MAX_TREE_DEPTH) -> list[int]:
    """Ids of every task below `ids`, level by level (not scoped: for services)."""
    found: list[int] = []
    frontier = list(ids)
    for _depth in range(max_depth):
        frontier = list(Task.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        if not frontier:
            break
        found += frontier
    return found


def task_trail(task: Task) -> list[TaskEvent]:
    """The task's events in order, each with who and the files it brought."""
    return list(
        TaskEvent.objects.filter(task=task).select_related("by").prefetch_related("attachments")
    )


def format_duration(delta: timedelta | None) -> str:
    """ "2 d 3 h", "3 h 05 min", "12 min": as precise as a duty officer needs."""
    if delta is None:
        return ""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}
