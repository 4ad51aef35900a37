"""Schemas shared by every router: errors, keyset pages and follow-up progress."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Schema


def region_filter():
    """A `region` query parameter: a region code or the start of one, digits only."""
    return Query(None, pattern=r"^[0-9]{2,12}$", description="region code (or its start)")


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


class FollowUpOut(Schema):
    """The latest follow-up of a change (core.followups), as the user who made it sees it."""

    kind: str
    work: str = Field(description="what is being done")
    state: Literal["pending", "running", "done", "failed"] = Field(
        description="pending: waiting for the worker; failed: the operator's log says why"
    )
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_work(followup) -> str:
        return str(getattr(followup, "label", followup.kind))


# Declared on every route so the OpenAPI document lists what can go wrong.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def require(who, capability) -> None:
    from django.core.exceptions import PermissionDenied

    if not who.can(capability):
        raise PermissionDenied(f"your role may not do this ({capability})")
