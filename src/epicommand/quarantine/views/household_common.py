"""What the household pages share: who may read them, and no caching of what they show."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme

from epicommand.core.access import Capability

C = Capability


def may_read_households(view):
    """Community workers (HOME_CONTROL) and those who follow quarantine (VIEW_QUARANTINE)
    read these pages; only HOME_CONTROL changes anything."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.can(C.HOME_CONTROL) or request.user.can(C.VIEW_QUARANTINE)):
            raise PermissionDenied(C.HOME_CONTROL)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def private(response):
    # Members' names, a household's address, a resident's own status: not for a shared
    # or proxy cache.
    response["Cache-Control"] = "no-store, private"
    return response


def safe_next(request, default: str) -> str:
    """Back to the list the action came from, never off-site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and allowed else default
