"""Scoped reads of persons: search and keyset pages."""

from django.db.models import Q

from epicommand.core.idnumbers import CHECK_CHARS

from .models import Person

PAGE_SIZE = 50


def search_persons(
    who,
    query: str = "",
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    region_code: str | None = None,
):
    """Persons visible to `who` matching an ID number, a phone or the start of a name, one
    keyset page plus the cursor of the next (None on the last page).

    Pages run in (region, id) order, the order of the person_region_id index: a county's
    persons are one contiguous range of it, so every page, the last included, is a short
    index scan, where id order would read past the county's end to the table's."""
    qs = Person.objects.all()
    if cursor := parse_person_cursor(after):
        # A row-value comparison, so the index serves it as one range (SQLite >= 3.15 too).
        # It comes first: of two lower bounds on region_id SQLite starts its range scan at
        # the first one written, and the scope's would scan from the county's first row.
        qs = qs.extra(
            where=['("people_person"."region_id", "people_person"."id") > (%s, %s)'],
            params=list(cursor),
        )
    qs = qs.visible_to(who).select_related("region", "household")
    if region_code:
        qs = qs.in_region(region_code)
    qs = qs.filter(_match(query.strip()))
    rows = list(qs.order_by("region_id", "id")[: limit + 1])
    more = len(rows) > limit
    return rows[:limit], person_cursor(rows[limit - 1]) if more else None


def count_persons(who, query: str = "", *, region_code: str | None = None) -> int:
    """How many persons search_persons pages through: an export's rows, counted for its
    audit event before the first row is sent."""
    qs = Person.objects.visible_to(who)
    if region_code:
        qs = qs.in_region(region_code)
    return qs.filter(_match(query.strip())).count()


def person_cursor(person: Person) -> str:
    return f"{person.region_id}-{person.pk}"


def parse_person_cursor(value) -> tuple[str, int] | None:
    """The `after` cursor is opaque to callers; anything malformed starts from the top."""
    region, _, pk = str(value or "").partition("-")
    if not (region.isdigit() and len(region) <= 12 and pk.isdigit() and len(pk) <= 18):
        return None
    return region, int(pk)


def _match(query: str) -> Q:
    if not query:
        return Q()
    q = query.upper()
    if len(q) == 18 and q[:17].isdigit() and q[17] in CHECK_CHARS:
        return Q(id_number=q)
    if q.lstrip("+").isdigit():
        return Q(phone=q)
    # A name prefix as a range, so the (name, id) index serves it on both databases.
    return Q(name__gte=query, name__lt=query + "\U0010ffff") | Q(passport_number=q)
