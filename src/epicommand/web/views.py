"""Pages that belong to no domain app: the home page, health check and error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseNotFound, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from .home import home_for


def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"database": "down", "error": exc.__class__.__name__}, status=503)
    return JsonResponse({"database": "ok"})


@login_required
def home(request):
    kind, links = home_for(request.user)
    return render(request, "web/home.html", {"kind": kind, "links": links})


# Addresses under here are the API's: a client there reads JSON, even where no route matched
# (a non-integer id on an integer route, an unknown address) or the server failed.
API_PREFIX = "/api/"


def _api_error(status: int, detail: str) -> JsonResponse:
    """The API's one error shape (epicommand.api), for errors no API route answered."""
    return JsonResponse({"detail": detail, "errors": []}, status=status)


def not_found(request, exception=None):
    # The exception text may name internals (a model, a token); never show it.
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "not found")
    return HttpResponseNotFound(loader.render_to_string("web/404.html", request=request))


def server_error(request):
    """Rendered without the request context: whatever broke (the database, a context
    processor) must not break the error page too."""
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "server error")
    return HttpResponseServerError(loader.render_to_string("web/500.html"))
