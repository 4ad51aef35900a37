"""Keyset pages and htmx partials, shared by every list page."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request) -> bool:
    """htmx swaps just the results; a history restore (back button after the cache is
    gone) needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_list(request, page_template: str, results_template: str, context: dict):
    """The whole page, or only its results for htmx. One URL serves both, so the response
    varies on HX-Request: a browser must not show a cached fragment as the page."""
    template = results_template if wants_partial(request) else page_template
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def query_without_cursor(request) -> str:
    params = request.GET.copy()
    params.pop("after", None)
    return params.urlencode()
