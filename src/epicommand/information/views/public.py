"""The public information pages: no login, light (no script), quick on a phone. A
published bulletin never changes, so its rendered body is kept in the shared cache by
version and language and served from there."""

from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.pages.forms import apply_errors

from .. import queries
from .. import render as rendering
from ..forms import RumourReportForm
from ..models import Article, Bulletin
from ..services import rumours

BODY_CACHE_SECONDS = 24 * 3600
# A published version never changes, so its body may also live in this process's memory
# (a bounded few): the page then asks the database only for the day's versions and the
# latest refutations. Drafts are never rendered here.
_BODIES: dict[tuple[str, str], str] = {}
_BODIES_KEPT = 256


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


@require_safe
def index(request):
    context = {
        "latest": queries.latest_published(),
        "days": queries.published_days(limit=30),
        "refutations": queries.refutations(limit=10),
        "articles": queries.articles(translation.get_language(), limit=10),
    }
    if context["latest"] is not None:
        context["summary"] = rendering.summary_sentence(context["latest"])
    return render(request, "information/public_index.html", context)


def body_of(bulletin: Bulletin) -> str:
    """The rendered body of a published bulletin, from the cache after the first time."""
    # The publishing moment is in the key: a database restored or rebuilt (tests) that
    # reuses an id never finds another bulletin's body.
    stamp = f"{bulletin.pk}:{bulletin.published_at.timestamp() if bulletin.published_at else 0}"
    language = translation.get_language()
    if (body := _BODIES.get((stamp, language))) is not None:
        return body
    key = f"information:bulletin:{stamp}:{language}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "information/_bulletin_body.html",
            {
                "bulletin": bulletin,
                "figures": bulletin.figures,
                "summary": rendering.summary_sentence(bulletin),
                "risk_lines": [
                    rendering.risk_change_sentence(c) for c in bulletin.figures["risk_changes"]
                ],
            },
        )
        cache.set(key, body, BODY_CACHE_SECONDS)
    if len(_BODIES) >= _BODIES_KEPT:
        _BODIES.pop(next(iter(_BODIES)))
    _BODIES[(stamp, language)] = body
    return body


@require_safe
def bulletin(request, day: str, version: int | None = None):
    versions = queries.published_versions(_day(day))
    if not versions:
        raise Http404
    shown = (
        versions[0]
        if version is None
        else next((b for b in versions if b.version == version), None)
    )
    if shown is None:
        raise Http404
    context = {
        "bulletin": shown,
        "body": body_of(shown),
        "versions": versions,
        "refutations": queries.refutations(limit=5),
    }
    response = render(request, "information/public_bulletin.html", context)
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def bulletin_pdf(request, day: str, version: int):
    shown = get_object_or_404(
        Bulletin, day=_day(day), version=version, status=Bulletin.Status.PUBLISHED
    )
    response = HttpResponse(rendering.bulletin_pdf(shown), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{day}-v{version}.pdf"'
    return response


@require_safe
def feed(request):
    """The JSON feed: the latest published version of each day of the public history."""
    items = [rendering.feed_item(b) for b in queries.published_days()]
    return JsonResponse({"bulletins": items}, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET", "POST"])
def report_rumour(request):
    form = RumourReportForm()
    if request.method == "POST":
        form = RumourReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rumours.report_by_public(request, **form.cleaned_data)
            except rumours.Throttled as throttled:
                form.add_error(
                    None,
                    _("Too many reports from here: try again in %(m)d minutes.")
                    % {"m": throttled.minutes},
                )
                return render(request, "information/public_report.html", {"form": form}, status=429)
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                return render(request, "information/public_report_done.html")
    return render(request, "information/public_report.html", {"form": form})


@require_safe
def article(request, article_id: int):
    shown = get_object_or_404(Article, pk=article_id, published_at__isnull=False)
    return render(
        request,
        "information/public_article.html",
        {"article": shown, "body": rendering.article_html(shown.body)},
    )
