"""Task pages: the list with overdue badges, filters and the alerts panel; issuing; the
detail page with the tree, the trail and the assignee's forms; decomposition; files; and
the unit's notifications. Reads start from Task.objects.visible_to(request.user) (through
command.queries); every change goes through command.services.tasks."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.models import Notification
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list

from .. import alerts, queries
from ..forms import (
    CancelForm,
    CompleteForm,
    ProgressForm,
    ShareFormSet,
    TaskFilterForm,
    TaskIssueForm,
)
from ..models import TaskAttachment
from ..services import tasks as services
from ..services.chain import attach_responsibles

C = Capability
S = services.S
NOTIFICATIONS_SHOWN = 50


@require_safe
@capability_required(C.VIEW_TASKS)
def task_list(request):
    form = TaskFilterForm(request.GET or None, units=queries.units_in_scope(request.user))
    rows, next_after = [], None
    if not form.is_bound or form.is_valid():
        rows, next_after = queries.task_page(
            request.user, after=parse_cursor(request.GET.get("after")), **form.filters()
        )
    attach_responsibles(rows)  # whose each task is, in one query for the page
    context = {
        "form": form,
        "tasks": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "alerts": alerts.current_alerts(request.user) if _is_full_page(request) else [],
    }
    return render_list(request, "command/task_list.html", "command/_task_results.html", context)


def _is_full_page(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return not htmx or htmx.history_restore_request


@require_http_methods(["GET", "POST"])
@capability_required(C.ISSUE_TASKS)
def task_new(request):
    units = queries.assignable_units(request.user.unit, request.user.scope_region)
    form = TaskIssueForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            tasks = services.issue_task(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d tasks issued: %(title)s") % {"n": len(tasks), "title": tasks[0].title},
            )
            if len(tasks) == 1:
                return redirect("command:task_detail", task_id=tasks[0].pk)
            return redirect("command:task_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "command/task_form.html", {"form": form}, status=status)


@require_safe
@capability_required(C.VIEW_TASKS)
def task_detail(request, task_id: int):
    return _detail_page(request, queries.visible_task(request.user, task_id))


def _detail_page(request, task, *, status=200, **forms):
    user = request.user
    mine = user.unit_id == task.assignee_id and task.is_open
    working = mine and task.status in (S.ACKNOWLEDGED, S.IN_PROGRESS)
    may = {
        "acknowledge": mine and user.can(C.WORK_TASKS) and task.status == S.ISSUED,
        "work": working and user.can(C.WORK_TASKS),
        "decompose": working and user.can(C.ISSUE_TASKS),
        "cancel": task.is_open and user.can(C.ISSUE_TASKS) and user.unit_id == task.issuing_unit_id,
    }
    tree = queries.task_tree(user, task)
    attach_responsibles([node.task for node in tree])  # whose each node is
    context = {
        "task": task,
        "overdue": task.is_overdue(),
        "parent": queries.parent_if_visible(user, task),
        "tree": tree,
        "trail": queries.task_trail(task),
        "briefs": task.attachments.filter(kind=TaskAttachment.Kind.BRIEF).order_by("id"),
        "open_children": list(services.open_children(task)) if may["work"] else [],
        "may": may,
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "action_errors": forms.get("action_errors", []),
    }
    return render(request, "command/task_detail.html", context, status=status)


@require_POST
@capability_required(C.WORK_TASKS)
def task_acknowledge(request, task_id: int):
    task = queries.visible_task(request.user, task_id)
    try:
        services.acknowledge_task(request.user, task)
    except ValidationError as exc:
        return _detail_page(request, task, status=400, action_errors=exc.messages)
    messages.success(request, _("Task acknowledged."))
    return redirect("command:task_detail", task_id=task.pk)


def _task_step(request, task_id, form_class, form_key, step, success):
    """One step on a task through its form: the service's refusal goes back on the form,
    success back to the task. `success(result)` words the message."""
    task = queries.visible_task(request.user, task_id)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = step(request.user, task, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success(result))
            return redirect("command:task_detail", task_id=task.pk)
    return _detail_page(request, task, status=400, **{form_key: form})


@require_POST
@capability_required(C.WORK_TASKS)
def task_progress(request, task_id: int):
    return _task_step(
        request,
        task_id,
        ProgressForm,
        "progress_form",
        services.report_progress,
        lambda result: _("Progress reported."),
    )


@require_POST
@capability_required(C.WORK_TASKS)
def task_complete(request, task_id: int):
    return _task_step(
        request,
        task_id,
        CompleteForm,
        "complete_form",
        services.complete_task,
        lambda result: _("Task completed."),
    )


@require_POST
@capability_required(C.ISSUE_TASKS)
def task_cancel(request, task_id: int):
    return _task_step(
        request,
        task_id,
        CancelForm,
        "cancel_form",
        services.cancel_task,
        lambda cancelled: _("%(n)d tasks cancelled.") % {"n": len(cancelled)},
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.ISSUE_TASKS)
def task_decompose(request, task_id: int):
    task = queries.visible_task(request.user, task_id)
    if request.user.unit_id != task.assignee_id:
        raise PermissionDenied(_("only the assigned unit may decompose its task"))
    units = queries.assignable_units(task.assignee, task.assignee.region)
    formset = ShareFormSet(request.POST or None, units=units, prefix="share")
    errors = []
    if request.method == "POST" and formset.is_valid():
        filled = formset.filled()
        shares = [
            services.Share(
                assignee=form.cleaned_data["assignee"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                deadline=form.cleaned_data["deadline"],
            )
            for form in filled
        ]
        try:
            services.decompose_task(request.user, task, children=shares)
        except ValidationError as exc:
            errors = _share_errors(exc, filled)
        else:
            messages.success(request, _("%(n)d shares issued.") % {"n": len(shares)})
            return redirect("command:task_detail", task_id=task.pk)
    status = 400 if formset.is_bound and (errors or not formset.is_valid()) else 200
    context = {"task": task, "formset": formset, "errors": errors}
    return render(request, "command/task_decompose.html", context, status=status)


_SHARE_FIELD = re.compile(r"children\[(?P<index>\d+)\]\.(?P<field>\w+)")


def _share_errors(exc: ValidationError, filled) -> list[str]:
    """Put `children[N].field` errors on the Nth filled row; return the rest as text."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    rest = []
    for key, msgs in exc.message_dict.items():
        share = _SHARE_FIELD.fullmatch(key)
        if share:
            form = filled[int(share["index"])]
            if share["field"] in form.fields:
                form.add_error(share["field"], msgs)
                continue
        rest += [f"{key}: {m}" if key not in ("children", "__all__") else m for m in msgs]
    return rest


@require_safe
@capability_required(C.VIEW_TASKS)
def task_attachment(request, task_id: int, attachment_id: int):
    task = queries.visible_task(request.user, task_id)
    attachment = get_object_or_404(TaskAttachment, pk=attachment_id, task=task)
    services.note_attachment_opened(request.user, attachment)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
@capability_required(C.ISSUE_TASKS)
def alert_raise(request):
    alert = alerts.find_alert(request.user, request.POST.get("key", ""))
    if alert is None:
        messages.error(request, _("This alert is no longer current."))
        return redirect("command:task_list")
    try:
        task = services.raise_task_from_state(request.user, alert)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("command:task_list")
    messages.success(request, _("Task raised: %(title)s") % {"title": task.title})
    return redirect("command:task_detail", task_id=task.pk)


# Notifications ---------------------------------------------------------------------------


@require_safe
@login_required
def notification_list(request):
    """The unit's latest notifications; those shown unread are marked read."""
    shown = list(
        Notification.objects.filter(unit_id=request.user.unit_id).order_by("-id")[
            :NOTIFICATIONS_SHOWN
        ]
    )
    unread = [n.pk for n in shown if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    context = {"notifications": shown, "unread": set(unread)}
    return render(request, "command/task_notifications.html", context)


@require_safe
@login_required
def notification_open(request, notification_id: int):
    notification = get_object_or_404(Notification, pk=notification_id, unit_id=request.user.unit_id)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    return redirect(notification.url if safe else "command:notification_list")


urlpatterns = [
    path("tasks/", task_list, name="task_list"),
    path("tasks/new/", task_new, name="task_new"),
    path("tasks/alerts/raise/", alert_raise, name="alert_raise"),
    path("tasks/<int:task_id>/", task_detail, name="task_detail"),
    path("tasks/<int:task_id>/acknowledge/", task_acknowledge, name="task_acknowledge"),
    path("tasks/<int:task_id>/progress/", task_progress, name="task_progress"),
    path("tasks/<int:task_id>/complete/", task_complete, name="task_complete"),
    path("tasks/<int:task_id>/cancel/", task_cancel, name="task_cancel"),
    path("tasks/<int:task_id>/decompose/", task_decompose, name="task_decompose"),
    path(
        "tasks/<int:task_id>/files/<int:attachment_id>/",
        task_attachment,
        name="task_attachment",
    ),
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/", notification_open, name="notification_open"),
]
