"""The second factor's pages (core.twofactor): setting up an authenticator after the
password, the recovery codes shown once, the code asked at each login, and the city
office's reset of a lost authenticator. core.middleware.TwoFactorMiddleware sends a user
who needs the second factor here until they have given it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from epicommand.core import twofactor
from epicommand.core.access import Capability
from epicommand.core.models import User
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.qr import inline_svg

from .forms import TwoFactorCodeForm, TwoFactorResetForm

CODES_KEY = "twofactor_new_recovery_codes"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _step(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _locked_out(request):
    """A wrong code was the last one the lockout allows: the half-open session ends."""
    request.user.refresh_from_db(fields=["locked_until"])
    if not request.user.is_locked():
        return None
    logout(request)
    messages.error(request, _("This account is locked after too many failed logins."))
    return redirect(settings.LOGIN_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    if not twofactor.needs_two_factor(user) or twofactor.is_verified(request):
        return redirect(_next(request))
    if twofactor.has_device(user):
        return _step("web:twofactor_verify", request)
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.confirm_enrolment(user, form.cleaned_data["code"])
        except ValidationError as exc:
            if (locked := _locked_out(request)) is not None:
                return locked
            apply_errors(form, exc)
            status = 400
        else:
            twofactor.mark_verified(request, user)
            request.session[CODES_KEY] = codes
            return _step("web:twofactor_recovery_codes", request)
    elif request.method == "POST":
        status = 400
    secret = twofactor.begin_enrolment(user)
    context = {
        "form": form,
        "qr": inline_svg(twofactor.provisioning_uri(user, secret), title=_("authenticator")),
        "secret": _grouped(secret),
        "next": _next(request),
    }
    return render(request, "web/twofactor_enrol.html", context, status=status)


@never_cache
@login_required
def recovery_codes(request):
    """Shown once, from the session, after the enrolment's POST redirected here: a reload
    finds them gone (they are kept only hashed)."""
    codes = request.session.pop(CODES_KEY, None)
    if not codes:
        return redirect(_next(request))
    context = {"codes": codes, "next": _next(request)}
    return render(request, "web/twofactor_recovery.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if not twofactor.needs_two_factor(user) or twofactor.is_verified(request):
        return redirect(_next(request))
    if not twofactor.has_device(user):
        return _step("web:twofactor_enrol", request)
    form = TwoFactorCodeForm(request.POST or None, recovery=True)
    status = 200
    if request.method == "POST":
        status = 400
        if (locked := _locked_out(request)) is not None:
            return locked  # a locked account's codes are not tried
        if form.is_valid():
            try:
                how = twofactor.verify(user, form.cleaned_data["code"])
            except ValidationError as exc:
                if (locked := _locked_out(request)) is not None:
                    return locked
                apply_errors(form, exc)
            else:
                twofactor.mark_verified(request, user)
                if how == "recovery":
                    left = twofactor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        _(
                            "You logged in with a recovery code; %(n)d left. If your "
                            "authenticator is lost, ask the city office to reset it."
                        )
                        % {"n": left},
                    )
                return redirect(_next(request))
    context = {"form": form, "next": _next(request)}
    return render(request, "web/twofactor_verify.html", context, status=status)


@capability_required(Capability.RESET_TWO_FACTOR)
@require_http_methods(["GET", "POST"])
def reset(request):
    form = TwoFactorResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            target = User.objects.filter(username=form.cleaned_data["username"]).first()
            try:
                if target is None:
                    raise PermissionDenied
                twofactor.reset(request.user, target, form.cleaned_data["reason"])
            except PermissionDenied as exc:
                # Unknown and outside one's jurisdiction answer alike: no probing of names.
                refusal = str(exc) if target is not None and target.pk == request.user.pk else ""
                form.add_error(
                    "username", refusal or _("no user of this name in your jurisdiction")
                )
                status = 404 if not refusal else 403
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Two-factor authentication of %(u)s reset: they set it up again "
                        "at their next login."
                    )
                    % {"u": target.username},
                )
                return redirect("web:twofactor_reset")
    return render(request, "web/twofactor_reset.html", {"form": form}, status=status)
