"""Keyset pages and htmx partials, shared by every list page."""


def parse_cursor(value) -> int | None:
    """The ?after= keyset cursor; anything that is not a positive id starts from the top."""
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if cursor > 0 else None


def wants_partial(request) -> bool:
    """htmx swaps just the results; a history restore (back button after the cache is
    gone) needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def query_without_cursor(request) -> str:
    params = request.GET.copy()
    params.pop("after", None)
    return params.urlencode()
