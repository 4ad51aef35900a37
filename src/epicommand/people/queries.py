"""Scoped reads of persons: search and keyset pages."""

from django.db.models import Q

from epicommand.core.idnumbers import CHECK_CHARS

from .models import Person

PAGE_SIZE = 50


def search_persons(who, query: str = "", *, after: int | None = None, limit: int = PAGE_SIZE,
                   region_code: str | None = None):
    """Persons visible to `who` matching an ID number, a phone or the start of a name,
    one keyset page (ordered by id, resumed after the last id seen) plus the next cursor."""
    qs = Person.objects.visible_to(who).select_related("region")
    if region_code:
        qs = qs.in_region(region_code)
    qs = qs.filter(_match(query.strip()))
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    next_after = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_after


def _match(query: str) -> Q:
    if not query:
        return Q()
    q = query.upper()
    if len(q) == 18 and q[:17].isdigit() and q[17] in CHECK_CHARS:
        return Q(id_number=q)
    if q.lstrip("+").isdigit():
        return Q(phone=q) | Q(id_number=q) if len(q) == 18 else Q(phone=q)
    # A name prefix as a range, so the (name, id) index serves it on both databases.
    return Q(name__gte=query, name__lt=query + "\U0010ffff") | Q(passport_number=q)
