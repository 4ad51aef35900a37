"""The integration API at /api/v1: devices, labs and other systems authenticate with a
bearer token; a logged-in browser session works too. Errors are JSON naming the field."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from epicommand.core.intake import BatchRefused
from epicommand.core.services import authenticate_api_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        return authenticate_api_token(token)


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class ObjectBodies(Parser):
    """Every route's JSON body is an object of named fields. A list or a bare value
    (`[null,null]`) would otherwise be read as an object with every field at its default
    and acted upon; ninja answers this refusal as a 400 naming `body`."""

    def parse_body(self, request):
        body = super().parse_body(request)
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body


api = NinjaAPI(
    title="EpiCommand API",
    version="1",
    description="Device, lab and integration API. See docs/api-guide.md.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    parser=ObjectBodies(),
)


# Where ninja found a parameter: noise in front of the field name a client should see.
_PARAMETER_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_path(loc) -> list[str]:
    """("body", "payload", "name") -> ["name"]; ("query", "limit") -> ["limit"];
    ("file", "file") -> ["file"]. Every route names its JSON body `payload`."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _PARAMETER_SOURCES:
        parts = parts[1:]
    if parts[:1] == ["payload"]:
        parts = parts[1:]
    return parts


def _dotted(parts: list[str]) -> str:
    """["items", "3", "temperature"] -> "items[3].temperature", as the services name a
    batch item, so a client reads one form whichever check refused it."""
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _error(request, status, detail, errors=()):
    return api.create_response(request, {"detail": detail, "errors": list(errors)}, status=status)


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    errors = []
    for err in exc.errors:
        loc = _field_path(err.get("loc", ()))
        errors.append({"field": _dotted(loc) or "body", "message": err.get("msg", "")})
    return _error(request, 422, "invalid input", errors)


@api.exception_handler(ValidationError)
def service_invalid(request, exc):
    if hasattr(exc, "error_dict"):
        errors = [{"field": f, "message": m} for f, msgs in exc.message_dict.items() for m in msgs]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    return _error(request, 422, "invalid input", errors)


@api.exception_handler(BatchRefused)
def batch_refused(request, exc):
    body = {
        "detail": exc.detail,
        "errors": [{"field": e.path, "message": e.reason} for e in exc.errors],
        "accepted": 0,
        "replayed": exc.replayed,
        "rejected": exc.rejected,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = f"the request body is over {limit} MB: send fewer items a request"
    return _error(request, 413, message, [{"field": "body", "message": message}])


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not found")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or "forbidden")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "authentication required: send a bearer token")


@api.exception_handler(HttpError)
def http_error(request, exc):
    # Ninja's only 400 is a body it could not parse (not JSON, or not UTF-8).
    errors = [{"field": "body", "message": str(exc)}] if exc.status_code == 400 else []
    return _error(request, exc.status_code, str(exc), errors)


api.add_router("/regions", "epicommand.core.api.router")
api.add_router("/files", "epicommand.core.api_files.router")
api.add_router("/policy/editions", "epicommand.core.api.editions")
api.add_router("/persons", "epicommand.people.api.persons")
api.add_router("/households", "epicommand.people.api.households")
api.add_router("/places", "epicommand.places.api.router")
api.add_router("/tasks", "epicommand.command.api.tasks.router")
api.add_router("/emergency-reports", "epicommand.command.api.reports.router")
api.add_router("/dashboard", "epicommand.command.api.dashboard.router")
api.add_router("/health-codes", "epicommand.control.api.codes.router")
api.add_router("/scans", "epicommand.control.api.scans.router")
api.add_router("/checkpoints", "epicommand.control.api.checkpoints.router")
api.add_router("/risk-areas", "epicommand.control.api.risk.router")
api.add_router("/quarantine/sites", "epicommand.quarantine.api.sites.router")
api.add_router("/quarantine/stays", "epicommand.quarantine.api.stays.router")
api.add_router("/quarantine/monitoring", "epicommand.quarantine.api.monitoring.router")
api.add_router("/quarantine/violations", "epicommand.quarantine.api.violations.router")
api.add_router("/quarantine/households", "epicommand.quarantine.api.households.router")
api.add_router("/cases", "epicommand.tracing.api.cases.router")
api.add_router("/contacts", "epicommand.tracing.api.contacts.router")
api.add_router("/exposures", "epicommand.tracing.api.exposures.router")
api.add_router("/referrals", "epicommand.tracing.api.referrals.router")
api.add_router("/clusters", "epicommand.tracing.api.clusters.router")
api.add_router("/testing/rounds", "epicommand.testing.api.rounds.router")
api.add_router("/testing/sites", "epicommand.testing.api.sites.router")
api.add_router("/testing/samples", "epicommand.testing.api.samples.router")
api.add_router("/testing/labs", "epicommand.testing.api.labs.router")
api.add_router("/testing/fever-clinics", "epicommand.testing.api.clinics.router")
api.add_router("/testing/priority", "epicommand.testing.api.priority.router")
api.add_router("/cold-chain", "epicommand.coldchain.api.router")
api.add_router("/supplies", "epicommand.supplies.api.prices.router")
api.add_router("/materials", "epicommand.supplies.api.materials.router")
api.add_router("/prevention", "epicommand.prevention.api.router")
api.add_router("/vaccination", "epicommand.vaccination.api.router")

api.add_router("/inbound", "epicommand.inbound.api.flights.router")
api.add_router("/inbound", "epicommand.inbound.api.arrivals.router")
api.add_router("/information", "epicommand.information.api.router")
api.add_router("/gatherings", "epicommand.gatherings.api.router")
