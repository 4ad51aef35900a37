import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import JsonResponse

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a well-formed X-Request-ID from a proxy or
    device) so audit events and logs of one request can be joined."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RefuseNulCharactersMiddleware:
    """PostgreSQL text cannot hold NUL characters: a NUL in a query parameter or a JSON
    body would fail deep in the database. Refuse it at the door, naming where it was.
    Web forms refuse NUL themselves (Django's form fields do); uploads may hold binary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._field_with_nul(request)
        if field is not None:
            return JsonResponse(
                {
                    "detail": "invalid input",
                    "errors": [{"field": field, "message": "contains a NUL character"}],
                },
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _field_with_nul(request) -> str | None:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "")
        if request.content_type == "application/json":
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return "body"
        return None


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response, pages, API, admin and
    static files alike: if a script ever inserts data as HTML, the browser still refuses
    to run an inline handler or script from it (docs/security.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class TwoFactorMiddleware:
    """A logged-in user who needs a second factor (core.twofactor) and has not given it in
    this session reaches only the second factor's pages and logging out: every other page,
    the admin's included, sends them there; the API treats their session as no login at all
    (a bearer token still works). Costs no query for a verified session."""

    OPEN_PATHS = ("/login/", "/logout/", "/i18n/", "/healthz", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth.models import AnonymousUser
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        from . import twofactor

        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or twofactor.is_verified(request)
            or not twofactor.needs_two_factor(user)
            or request.path.startswith(self.OPEN_PATHS)
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            request.user = AnonymousUser()
            return self.get_response(request)
        step = "web:twofactor_verify" if twofactor.has_device(user) else "web:twofactor_enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
