"""Region pick-lists for forms: the codes a user may type, offered as a <datalist>."""

from epicommand.core.access import code_range
from epicommand.core.models import Region

# A city has a few thousand villages; past this the datalist stops helping anyway.
PICK_LIST_LIMIT = 3000


def regions_in_scope(user, *, limit: int = PICK_LIST_LIMIT):
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None:
        return Region.objects.none()
    low, high = code_range(prefix)
    return Region.objects.filter(code__gte=low, code__lt=high).order_by("code")[:limit]
