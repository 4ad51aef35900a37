"""Supervision: discipline inspection follows every task's trail, every overdue item with
whose it is, how long units took to acknowledge, and its accountability records. Every page
view is audited ("supervision.view"), since these pages show who failed. Tasks are read
through Task.objects.visible_to(user) and never changed here."""

from datetime import UTC, datetime, timedelta
from statistics import median

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.models import Region, Unit
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list

from ..models import AccountabilityRecord, ResponsiblePerson, Task, TaskEvent
from ..services import chain as services
from . import chain

PAGE_SIZE = 50
SLOWEST_LIMIT = 200
PERIODS = (1, 7, 30)
OPEN = (Task.Status.ISSUED, Task.Status.ACKNOWLEDGED, Task.Status.IN_PROGRESS)
supervisor_only = capability_required(Capability.SUPERVISE)


def _region_filter(request, queryset):
    region = request.GET.get("region", "").strip()
    return queryset.in_region(region) if region else queryset


# Overdue items ----------------------------------------------------------------------------


def overdue_tasks(user, now=None):
    """Open tasks past their deadline, and tasks the overdue check noted (even if done
    late since): every overdue item, in the user's jurisdiction."""
    now = now or timezone.now()
    return Task.objects.visible_to(user).filter(
        Q(status__in=OPEN, deadline__lt=now) | Q(overdue_noted_at__isnull=False)
    )


def _deadline_cursor(value):
    """The keyset cursor "<microseconds since 1970>-<id>" of the (deadline, id) order."""
    try:
        micros, pk = (int(part) for part in str(value).split("-", 1))
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros), pk
    except (TypeError, ValueError, OverflowError):
        return None


def _cursor_of(task) -> str:
    delta = task.deadline - datetime(1970, 1, 1, tzinfo=UTC)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}-{task.pk}"


@require_safe
@supervisor_only
def supervision_overdue(request):
    now = timezone.now()
    tasks = _region_filter(request, overdue_tasks(request.user, now))
    if request.GET.get("open"):
        tasks = tasks.filter(status__in=OPEN)
    cursor = _deadline_cursor(request.GET.get("after"))
    if cursor:
        deadline, pk = cursor
        tasks = tasks.filter(Q(deadline__gt=deadline) | Q(deadline=deadline, pk__gt=pk))
    # Longest overdue first: the oldest deadline leads.
    rows = list(
        tasks.select_related("assignee", "region", "issuing_unit").order_by("deadline", "pk")[
            : PAGE_SIZE + 1
        ]
    )
    next_after = _cursor_of(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    rows = services.attach_responsibles(rows[:PAGE_SIZE])
    for task in rows:
        end = now if task.status in OPEN else (task.completed_at or now)
        task.overdue_by = end - task.deadline
    services.note_supervision_viewed(request.user, "overdue", reason=request.GET.urlencode())
    context = {
        "tasks": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "open_only": bool(request.GET.get("open")),
        "region": request.GET.get("region", ""),
        "counties": _counties(request.user),
    }
    return render_list(
        request,
        "command/supervision_overdue.html",
        "command/supervision_overdue_rows.html",
        context,
    )


def _counties(user):
    return Region.objects.visible_to(user).filter(level__lte=Region.Level.COUNTY).order_by("code")


# Acknowledgement times --------------------------------------------------------------------


@require_safe
@supervisor_only
def supervision_acknowledgements(request):
    """Time from issue to acknowledgement per task, slowest first. A task not acknowledged
    yet counts the time so far; a task completed without acknowledging, until completion."""
    now = timezone.now()
    try:
        days = int(request.GET.get("days", 7))
    except ValueError:
        days = 7
    days = days if days in PERIODS else 7
    tasks = _region_filter(request, Task.objects.visible_to(request.user)).filter(
        created_at__gte=now - timedelta(days=days)
    )
    tasks = tasks.exclude(status=Task.Status.CANCELLED, acknowledged_at__isnull=True)
    answered = Coalesce("acknowledged_at", "completed_at", Value(now, output_field=DateTimeField()))
    took = ExpressionWrapper(answered - F("created_at"), output_field=DurationField())
    slowest = services.attach_responsibles(
        tasks.annotate(took=took)
        .select_related("assignee", "region")
        .order_by("-took", "pk")[:SLOWEST_LIMIT]
    )
    services.note_supervision_viewed(
        request.user, "acknowledgements", reason=request.GET.urlencode()
    )
    context = {
        "tasks": slowest,
        "by_county": _acknowledgement_summary(tasks, now),
        "days": days,
        "periods": PERIODS,
        "region": request.GET.get("region", ""),
        "counties": _counties(request.user),
        "limit": SLOWEST_LIMIT,
    }
    return render(request, "command/supervision_acknowledgements.html", context)


def _acknowledgement_summary(tasks, now) -> list[dict]:
    """Per county: tasks issued, how many acknowledged, the median time to acknowledge and
    how many still wait. Reads three columns of the period's tasks (days, not years)."""
    rows: dict[str, dict] = {}
    for code, created, acked in tasks.values_list("region_id", "created_at", "acknowledged_at"):
        row = rows.setdefault(code[:6], {"code": code[:6], "issued": 0, "times": [], "waiting": 0})
        row["issued"] += 1
        if acked is None:
            row["waiting"] += 1
        else:
            row["times"].append(acked - created)
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    summary = []
    for code in sorted(rows):
        row = rows[code]
        row["name"] = names.get(code, code)
        row["acknowledged"] = len(row["times"])
        row["median"] = median(row.pop("times")) if row["acknowledged"] else None
        summary.append(row)
    return summary


# Every task and its trail -----------------------------------------------------------------


@require_safe
@supervisor_only
def supervision_tasks(request):
    tasks = _region_filter(request, Task.objects.visible_to(request.user))
    status = request.GET.get("status", "")
    if status in Task.Status.values:
        tasks = tasks.filter(status=status)
    after = parse_cursor(request.GET.get("after"))
    if after is not None:
        tasks = tasks.filter(pk__lt=after)
    rows = list(tasks.select_related("assignee", "region").order_by("-pk")[: PAGE_SIZE + 1])
    next_after = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    services.note_supervision_viewed(request.user, "tasks", reason=request.GET.urlencode())
    context = {
        "tasks": services.attach_responsibles(rows[:PAGE_SIZE]),
        "next_after": next_after,
        "query": query_without_cursor(request),
        "statuses": Task.Status.choices,
        "status": status,
        "region": request.GET.get("region", ""),
        "counties": _counties(request.user),
    }
    return render_list(
        request, "command/supervision_tasks.html", "command/supervision_tasks_rows.html", context
    )


def trail_of(task: Task) -> list[dict]:
    """The task's events with the time each step took after the one before and since issue."""
    steps, previous = [], task.created_at
    for event in TaskEvent.objects.filter(task=task).select_related("by").order_by("at", "id"):
        steps.append(
            {
                "event": event,
                "after_previous": event.at - previous,
                "since_issue": event.at - task.created_at,
            }
        )
        previous = event.at
    return steps


@require_safe
@supervisor_only
def supervision_trail(request, task_id: int):
    visible = Task.objects.visible_to(request.user)
    task = get_object_or_404(
        visible.select_related("assignee", "issuing_unit", "issued_by", "region", "parent"),
        pk=task_id,
    )
    children = services.attach_responsibles(
        visible.filter(parent=task).select_related("assignee", "region").order_by("pk")
    )
    services.note_supervision_viewed(request.user, "trail", task)
    now = timezone.now()
    context = {
        "task": task,
        "responsible": services.responsible_for(task),
        "steps": trail_of(task),
        "children": children,
        "parent_visible": task.parent_id and visible.filter(pk=task.parent_id).exists(),
        "records": AccountabilityRecord.objects.visible_to(request.user)
        .filter(task=task)
        .select_related("unit", "responsible"),
        "overdue": task.is_overdue(now) or task.overdue_noted_at is not None,
        "open_for": (task.completed_at or now) - task.created_at,
    }
    return render(request, "command/supervision_trail.html", context)


# Accountability records -------------------------------------------------------------------


@require_safe
@supervisor_only
def accountability_list(request):
    records = _region_filter(request, AccountabilityRecord.objects.visible_to(request.user))
    outcome = request.GET.get("outcome", "")
    if outcome in AccountabilityRecord.Outcome.values:
        records = records.filter(outcome=outcome)
    after = parse_cursor(request.GET.get("after"))
    if after is not None:
        records = records.filter(pk__lt=after)
    rows = list(
        records.select_related("unit", "responsible", "task", "region").order_by("-pk")[
            : PAGE_SIZE + 1
        ]
    )
    next_after = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    services.note_supervision_viewed(request.user, "accountability", reason=request.GET.urlencode())
    context = {
        "records": rows[:PAGE_SIZE],
        "next_after": next_after,
        "query": query_without_cursor(request),
        "outcomes": AccountabilityRecord.Outcome.choices,
        "outcome": outcome,
    }
    return render(request, "command/supervision_accountability_list.html", context)


class AccountabilityForm(forms.Form):
    """Field names are those of services.record_accountability."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=AccountabilityRecord.Kind.choices)
    unit = forms.ModelChoiceField(label=gettext_lazy("unit"), queryset=Unit.objects.none())
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("responsible person"),
        queryset=ResponsiblePerson.objects.none(),
        required=False,
        help_text=gettext_lazy("From the unit's responsibility chain or its region's."),
    )
    task = forms.ModelChoiceField(
        label=gettext_lazy("task"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    description = forms.CharField(
        label=gettext_lazy("finding"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, user, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user)
        self.fields["unit"].queryset = (
            Unit.objects.filter(region__in=regions).select_related("region").order_by("region_id")
        )
        self.fields["task"].queryset = Task.objects.visible_to(user)
        if unit is not None:
            self.fields["responsible"].queryset = ResponsiblePerson.objects.filter(
                Q(unit=unit)
                | Q(unit__isnull=True, region_id__in=services.region_line(unit.region_id))
            ).order_by("-region_id", "duty", "id")


def _visible_task(request, value) -> Task | None:
    task_id = parse_cursor(value)  # a positive id, or None for anything else
    if task_id is None:
        return None
    return Task.objects.visible_to(request.user).filter(pk=task_id).first()


def _form_unit(request, data, task):
    """The unit chosen so far (posted, asked for, or the task's), in the jurisdiction."""
    unit_id = parse_cursor(data.get("unit")) or (task.assignee_id if task else None)
    if unit_id is None:
        return None
    regions = Region.objects.visible_to(request.user)
    return Unit.objects.filter(region__in=regions, pk=unit_id).select_related("region").first()


@require_http_methods(["GET", "POST"])
@supervisor_only
def accountability_new(request):
    data = request.POST if request.method == "POST" else request.GET
    task = _visible_task(request, data.get("task"))
    unit = _form_unit(request, data, task)
    if request.method == "POST":
        form = AccountabilityForm(request.POST, user=request.user, unit=unit)
        if form.is_valid():
            try:
                record = services.record_accountability(request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Accountability record saved."))
                return redirect("command:accountability_detail", record_id=record.pk)
    else:
        initial = {k: data.get(k) for k in ("kind", "description") if data.get(k)}
        if task is not None:
            initial["task"] = task.pk
        if unit is not None:
            initial["unit"] = unit.pk
            whose = services.responsible_for(task if task and task.assignee_id == unit.pk else unit)
            if whose is not None:
                initial["responsible"] = whose.pk
        form = AccountabilityForm(initial=initial, user=request.user, unit=unit)
        services.note_supervision_viewed(
            request.user, "accountability_form", reason=request.GET.urlencode()
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "command/supervision_accountability_form.html", {"form": form}, status=status
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("outcome"),
        choices=[c for c in AccountabilityRecord.Outcome.choices if c[0] != "pending"],
    )
    outcome_text = forms.CharField(
        label=gettext_lazy("outcome details"), widget=forms.Textarea(attrs={"rows": 3})
    )


@require_http_methods(["GET", "POST"])
@supervisor_only
def accountability_detail(request, record_id: int):
    record = get_object_or_404(
        AccountabilityRecord.objects.visible_to(request.user).select_related(
            "unit", "responsible", "task", "region", "recorded_by"
        ),
        pk=record_id,
    )
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_outcome(
                request.user,
                record,
                form.cleaned_data["outcome"],
                form.cleaned_data["outcome_text"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("command:accountability_detail", record_id=record.pk)
    if request.method == "GET":
        services.note_supervision_viewed(request.user, "accountability", record)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "command/supervision_accountability_detail.html",
        {"record": record, "form": form},
        status=status,
    )


urlpatterns = [
    path("supervision/", supervision_overdue, name="supervision_overdue"),
    path(
        "supervision/acknowledgements/",
        supervision_acknowledgements,
        name="supervision_acknowledgements",
    ),
    path("supervision/tasks/", supervision_tasks, name="supervision_tasks"),
    path("supervision/tasks/<int:task_id>/", supervision_trail, name="supervision_trail"),
    path("supervision/accountability/", accountability_list, name="accountability_list"),
    path("supervision/accountability/new/", accountability_new, name="accountability_new"),
    path(
        "supervision/accountability/<int:record_id>/",
        accountability_detail,
        name="accountability_detail",
    ),
    # The responsibility chain's pages (views/chain.py) are wired here with supervision's.
    *chain.urlpatterns,
]
