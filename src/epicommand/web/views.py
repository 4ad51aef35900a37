from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse


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
    return HttpResponse("EpiCommand")


def not_found(request, exception=None):
    return HttpResponse("Not found", status=404)


def server_error(request):
    return HttpResponse("Server error", status=500)
