"""The resident's own health code, public (no staff login): /code/ shows the code of the
person this browser identified as (control.identity) and nobody else's; /code/identify/
proves who they are; /code/leave/ forgets it. The QR renews itself before it expires."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from epicommand.core import qr
from epicommand.core.masking import mask_name

from .. import codes, identity
from ..queries.codes import explain
from ..services import healthcode

# The page asks for a fresh QR this long before the one shown expires.
RENEW_AHEAD_SECONDS = 30


def _private(response):
    # A resident's code and name must not be kept by a shared or proxy cache.
    response["Cache-Control"] = "no-store, private"
    return response


def identify_url(next_url: str) -> str:
    return f"{reverse('control:resident_identify')}?{urlencode({'next': next_url})}"


@require_safe
def resident_code(request):
    person = identity.resident_of(request)
    if person is None:
        if request.htmx:  # the identification ran out while the page was open
            return HttpResponseClientRedirect(identify_url(request.path))
        return redirect(identify_url(request.path))
    now = timezone.now()
    code = healthcode.current(person)
    token = codes.issue(person, now=now, code=code)
    lifetime = codes.lifetime().total_seconds()
    context = {
        "person": person,
        "masked_name": mask_name(person.name),
        "code": code,
        "reasons": explain(code.reasons),
        "qr_svg": qr.inline_svg(token, title=_("Health code")),
        "qr_expires_at": now + codes.lifetime(),
        "renew_seconds": int(max(15, lifetime - RENEW_AHEAD_SECONDS)),
        "identified_until": identity.identified_until(request),
    }
    template = "control/resident_code_card.html" if request.htmx else "control/resident_code.html"
    return _private(render(request, template, context))


@require_http_methods(["GET", "POST"])
def resident_identify(request):
    next_url = _safe_next(request)
    if request.method == "GET" and identity.resident_of(request) is not None:
        return redirect(next_url)
    backend = identity.backend()
    form = backend.form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                person = identity.identify(request, form.cleaned_data)
            except identity.Throttled as refused:
                status = 429
                form.add_error(
                    None,
                    _(
                        "Too many attempts that did not match. For your safety, wait "
                        "%(minutes)d minutes before trying again."
                    )
                    % {"minutes": refused.minutes},
                )
            else:
                if person is not None:
                    return _private(HttpResponseRedirect(next_url))
                form.add_error(
                    None,
                    _(
                        "These details do not match a registered resident. Check both "
                        "numbers and try again, or ask your community office."
                    ),
                )
    context = {"form": form, "next": next_url}
    return _private(render(request, "control/resident_identify.html", context, status=status))


def _safe_next(request) -> str:
    """Back to the page that asked (the code page, a place-code scan), never off-site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and allowed else reverse("control:resident_code")


@require_POST
def resident_leave(request):
    identity.forget(request)
    return _private(redirect("control:resident_identify"))


urlpatterns = [
    path("code/", resident_code, name="resident_code"),
    path("code/identify/", resident_identify, name="resident_identify"),
    path("code/leave/", resident_leave, name="resident_leave"),
]
