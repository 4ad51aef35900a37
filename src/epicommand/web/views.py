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


def not_found(request, exception=None):
    # The exception text may name internals (a model, a token); never show it.
    return HttpResponseNotFound(loader.render_to_string("web/404.html", request=request))


def server_error(request):
    """Rendered without the request context: whatever broke (the database, a context
    processor) must not break the error page too."""
    return HttpResponseServerError(loader.render_to_string("web/500.html"))
