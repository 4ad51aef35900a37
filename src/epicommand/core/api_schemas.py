"""Schemas shared by every router: errors and keyset pages."""

from ninja import Query, Schema


def region_filter():
    """A `region` query parameter: a region code or the start of one, digits only."""
    return Query(None, pattern=r"^[0-9]{2,12}$", description="region code (or its start)")


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# Declared on every route so the OpenAPI document lists what can go wrong.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
