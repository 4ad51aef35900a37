"""Keyset pagination's cursor: lists page by id (or by a key ending in the id), never by
offset, and a cursor or path id a client typed is read here, once."""

# The largest id a database column holds: a larger number in a path or cursor finds nothing.
MAX_ID = 2**63 - 1


def parse_cursor(value) -> int | None:
    """The ?after= keyset cursor; anything that is not an id starts from the top."""
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if 0 < cursor <= MAX_ID else None
