"""The audit log, read-only, for discipline inspection and administrators (audit.view).

Events are scoped by their region with `visible_to`, like every person-level record."""

from django.views.decorators.http import require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.models import AuditEvent, Region
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import query_without_cursor, render_list

from .forms import AuditFilterForm

PAGE_SIZE = 50


def events_visible_to(user):
    """Events inside the user's scope region. Events without a region (logins of users
    without scope, system work) concern the whole city, so only city-wide users see them."""
    in_scope = AuditEvent.objects.visible_to(user)
    if user.scope_region_id and user.scope_region.level == Region.Level.CITY:
        return in_scope | AuditEvent.objects.filter(region_id__isnull=True)
    return in_scope


def filter_events(events, form: AuditFilterForm):
    data = form.cleaned_data
    if data["actor"]:
        events = events.filter(actor_name=data["actor"].strip())
    if data["action"]:
        events = events.filter(action=data["action"].strip())
    if data["object_type"]:
        events = events.filter(object_type=data["object_type"].strip())
    if data["object_id"]:
        events = events.filter(object_id=data["object_id"].strip())
    if data["region"]:
        events = events.in_region(data["region"].strip())
    start, end = form.time_range()
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lt=end)
    return events


@require_safe
@capability_required(Capability.VIEW_AUDIT)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = events_visible_to(request.user)
    if form.is_bound and form.is_valid():
        events = filter_events(events, form)
    elif form.is_bound:
        events = events.none()
    after = parse_cursor(request.GET.get("after"))
    if after is not None:
        events = events.filter(id__lt=after)
    # Newest first by id: ids grow with time and keep the page a B-tree range scan.
    rows = list(events.select_related("region").order_by("-id")[: PAGE_SIZE + 1])
    next_after = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    context = {
        "form": form,
        "events": rows[:PAGE_SIZE],
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(request, "web/audit_log.html", "web/_audit_rows.html", context)
