"""The exposures page: persons of the caller's jurisdiction exposed to a place or goods
found positive (the staff of cold-chain holders a positive sample reached), to
investigate, with a button to mark each one investigated. Reads start from
tracing.queries.exposures; the change goes through services.exposures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import query_without_cursor, render_list

from ..models import Exposure
from ..queries import exposures as queries
from ..services import exposures as services

C = Capability


@require_safe
@capability_required(C.VIEW_CASES)
def exposure_list(request):
    status = request.GET.get("status", Exposure.Status.TO_INVESTIGATE)
    if status not in Exposure.Status.values:
        status = ""
    rows, next_after = queries.exposure_page(
        request.user, status=status, after=parse_cursor(request.GET.get("after"))
    )
    context = {
        "exposures": rows,
        "status": status,
        "statuses": Exposure.Status.choices,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "tracing/exposure_list.html", "tracing/exposure_list_rows.html", context
    )


@require_POST
@capability_required(C.INVESTIGATE)
def exposure_investigated(request, exposure_id: int):
    exposure = queries.visible_exposure(request.user, exposure_id)
    try:
        services.mark_investigated(request.user, exposure)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("Marked investigated."))
    return redirect("tracing:exposure_list")


urlpatterns = [
    path("exposures/", exposure_list, name="exposure_list"),
    path(
        "exposures/<int:exposure_id>/investigated/",
        exposure_investigated,
        name="exposure_investigated",
    ),
]
