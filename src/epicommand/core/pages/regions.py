"""Region pick-lists for forms: the codes a user may type, offered as a <datalist>."""

from epicommand.core.models import Region

# A city has a few thousand villages; past this the datalist stops helping anyway.
PICK_LIST_LIMIT = 3000


def regions_in_scope(user, *, limit: int = PICK_LIST_LIMIT):
    return Region.objects.visible_to(user).order_by("code")[:limit]
