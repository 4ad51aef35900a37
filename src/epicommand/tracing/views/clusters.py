"""Cluster pages: the list of cluster summaries (biggest first, keyset pages, htmx), the
chain view of one cluster (its graph is fetched as JSON and drawn by tracing/chain.js),
the graph JSON with a case's contacts on demand, and recording a who-infected-whom link
from the chain view. Reads go through tracing.queries.clusters, changes through
tracing.services.clusters."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from epicommand.core import audit
from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor as parse_id
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import query_without_cursor, render_list

from ..models import Case, InfectionLink, Setting
from ..queries import clusters as queries
from ..services import clusters as services

C = Capability


def case_url_pattern() -> str:
    """The case page's address with "0" for the id: the graph's script fills the id in."""
    return reverse("tracing:case_detail", args=[0])


@require_safe
@capability_required(C.VIEW_CASES)
def cluster_list(request):
    region = request.GET.get("region", "").strip()
    rows, next_after = queries.cluster_page(
        request.user, region=region, after=queries.parse_cursor(request.GET.get("after"))
    )
    context = {
        "clusters": [
            {"cluster": c, "title": queries.cluster_title(c), "index": queries.index_lines(c)}
            for c in rows
        ],
        "region": region,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "tracing/cluster_list.html", "tracing/cluster_list_rows.html", context
    )


@require_safe
@capability_required(C.VIEW_CASES)
def cluster_detail(request, cluster_id: int):
    cluster = queries.visible_cluster(request.user, cluster_id)
    context = {
        "cluster": cluster,
        "title": queries.cluster_title(cluster),
        "index": queries.index_lines(cluster),
        "may_link": request.user.can(C.INVESTIGATE),
        "confidences": InfectionLink.Confidence.choices,
        "settings": Setting.choices,
        "chain": {
            "graph": reverse("tracing:cluster_graph", args=[cluster.pk]),
            "case": case_url_pattern(),
            "labels": _chain_labels(),
        },
    }
    return render(request, "tracing/cluster_detail.html", context)


def _chain_labels() -> dict:
    return {
        "masked": _("Case %(n)s (outside your jurisdiction)"),
        "case": _("Case %(n)s"),
        "contacts": _("%(n)s contacts: click to show"),
        "more": _("%(n)s more contacts not drawn"),
        "contact": _("contact"),
        "classes": {
            value: str(label) for value, label in Case._meta.get_field("classification").choices
        },
    }


@require_safe
@capability_required(C.VIEW_CASES)
def cluster_graph(request, cluster_id: int):
    """The chain's JSON; ?expand=<case id> gives only that case's contacts. Audited: it
    names the persons of the cases (and contacts) the user sees."""
    cluster = queries.visible_cluster(request.user, cluster_id)
    expand = request.GET.get("expand")
    if expand is not None:
        case_id = parse_id(expand)
        if case_id is None:
            raise Http404("no such case in this cluster")
        body = queries.expand_contacts(request.user, cluster, case_id)
        audit.record(request.user, "cluster.expand", cluster, reason=f"case {case_id}")
    else:
        body = queries.cluster_graph(request.user, cluster)
        audit.record(request.user, "cluster.view", cluster, reason=f"{body['named']} named")
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
@capability_required(C.INVESTIGATE)
def link_new(request, cluster_id: int):
    """Record a link from the chain view: both cases by number, the infected one in the
    user's jurisdiction, the source one they see or one of this cluster's."""
    cluster = queries.visible_cluster(request.user, cluster_id)
    try:
        source = _case_for_link(request, cluster, "source")
        target = _case_for_link(request, cluster, "target")
        services.link_cases(
            request.user,
            source,
            target,
            confidence=request.POST.get("confidence", ""),
            setting=request.POST.get("setting", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            messages.error(request, f"{field}: {' '.join(problems)}")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link recorded."))
    cluster_now = target_cluster(request, cluster)
    return redirect("tracing:cluster_detail", cluster_id=cluster_now)


def target_cluster(request, cluster) -> int:
    """Where to go back to: the cluster the infected case is in now (a merge may move it)."""
    case_id = parse_id(request.POST.get("target"))
    found = Case.objects.filter(pk=case_id).values_list("cluster_id", flat=True).first()
    return found or cluster.pk


def _case_for_link(request, cluster, field: str) -> Case:
    case_id = parse_id(request.POST.get(field))
    if case_id is None:
        raise ValidationError({field: _("give a case number")})
    case = linkable_cases(request.user, cluster).filter(pk=case_id).first()
    if case is None:
        raise ValidationError({field: _("no case %(n)s you may see") % {"n": case_id}})
    return case


def linkable_cases(who, cluster=None):
    """The cases a link may name: those the user sees, and those of the cluster at hand
    (drawn masked in its chain)."""
    visible = Case.objects.visible_to(who)
    if cluster is None:
        return visible
    return Case.objects.filter(pk__in=visible.values("pk")) | Case.objects.filter(cluster=cluster)


@require_POST
@capability_required(C.INVESTIGATE)
def link_delete(request, link_id: int):
    link = get_object_or_404(InfectionLink.objects.visible_to(request.user), pk=link_id)
    back = link.target.cluster_id
    services.unlink(request.user, link)
    messages.success(request, _("Link removed."))
    if back and Case.objects.filter(cluster_id=back).exists():
        return redirect("tracing:cluster_detail", cluster_id=back)
    return redirect("tracing:cluster_list")


urlpatterns = [
    path("clusters/", cluster_list, name="cluster_list"),
    path("clusters/<int:cluster_id>/", cluster_detail, name="cluster_detail"),
    path("clusters/<int:cluster_id>/graph.json", cluster_graph, name="cluster_graph"),
    path("clusters/<int:cluster_id>/links/", link_new, name="cluster_link_new"),
    path("clusters/links/<int:link_id>/delete/", link_delete, name="cluster_link_delete"),
]
