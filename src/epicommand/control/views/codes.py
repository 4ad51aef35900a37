"""Staff health-code lookup: find a person's code (by ID number, phone or name start), or
list the red and yellow codes of a region, masked; open one code with its reasons, facts
and colour history (audited). Every read is scoped: a person outside the user's
jurisdiction is 404 here as everywhere."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from epicommand.core.access import Capability
from epicommand.core.models import Region
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.paging import render_list

from ..queries.codes import (
    CODE_COLOURS,
    code_page,
    code_record,
    search_codes,
    visible_person,
)
from ..services import healthcode


def _region_param(request) -> str:
    code = request.GET.get("region", "").strip()
    return code if code.isdigit() and len(code) <= 12 else ""


@require_safe
@capability_required(Capability.VIEW_HEALTH_CODES)
def code_list(request):
    query = request.GET.get("q", "").strip()[:100]
    colour = request.GET.get("colour", "").strip()
    colour = colour if colour in CODE_COLOURS else ""
    region = _region_param(request)
    after = request.GET.get("after")
    scope = region or None
    if query:
        rows, next_after = search_codes(
            request.user, query, colour=colour or None, region_code=scope, after=after
        )
    else:
        rows, next_after = code_page(
            request.user, colour=colour or None, region_code=scope, after=after
        )
    filters = {"q": query, "colour": colour, "region": region}
    context = {
        "codes": rows,
        "next_query": _next_query(filters, next_after),
        "q": query,
        "colour": colour,
        "region": region,
        "counties": _counties(request.user, region),
    }
    return render_list(request, "control/code_list.html", "control/code_results.html", context)


def _next_query(filters: dict, next_after: str | None) -> str:
    if next_after is None:
        return ""
    return urlencode({**{k: v for k, v in filters.items() if v}, "after": next_after})


def _counties(user, selected: str) -> list[Region]:
    """The filter's choices: the user's city and counties, and the region asked for."""
    regions = list(
        Region.objects.visible_to(user).filter(level__lte=Region.Level.COUNTY).order_by("code")
    )
    if selected and all(r.code != selected for r in regions):
        regions += list(Region.objects.visible_to(user).filter(code=selected))
    return regions


@require_safe
@capability_required(Capability.VIEW_HEALTH_CODES)
def code_detail(request, person_id: int):
    person = visible_person(request.user, person_id)
    record = code_record(person, healthcode.current(person))
    healthcode.note_code_viewed(request.user, person, channel="web")
    response = render(request, "control/code_detail.html", {"record": record})
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns = [
    path("health-codes/", code_list, name="code_list"),
    path("health-codes/<int:person_id>/", code_detail, name="code_detail"),
]
