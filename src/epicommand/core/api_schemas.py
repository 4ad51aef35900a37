"""Schemas shared by every router: errors and keyset pages."""

from datetime import date

from ninja import Query, Schema

# The days a query may name: a midnight outside them has no UTC datetime (year 1 in Beijing
# is still year 0 in UTC), and no record of the response lies there.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def region_filter():
    """A `region` query parameter: a region code or the start of one, digits only."""
    return Query(None, pattern=r"^[0-9]{2,12}$", description="region code (or its start)")


def day_filter(description: str = "a Beijing day"):
    """A day as a query parameter (`?day=2021-01-12`), refused with 422 outside the
    days any record can have."""
    return Query(None, ge=FIRST_DAY, le=LAST_DAY, description=description)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# Declared on every route so the OpenAPI document lists what can go wrong.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
