"""Page-level gates for the web UI. Scoping of records stays in `visible_to`; this only
decides whether a role may open a page at all."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from epicommand.core.access import require


def capability_required(capability):
    """Anonymous users go to the login page; logged-in users whose role lacks the
    capability get 403, so a wrong link explains itself instead of bouncing to login."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
