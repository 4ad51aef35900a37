"""Schemas shared by every router: errors, keyset pages, follow-up progress, and the answer
to a device's or lab's batch (core.intake)."""

import json
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Schema
from pydantic import WithJsonSchema

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


@contextmanager
def request_field_names(**names):
    """A service's refusal named in the request's words: the services call a region
    `region_id`, the API `region_code` (`request_field_names(region_id="region_code")`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()}) from None


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
    persons: int = Field(description="how many persons the work covers (0: not said)")

    @staticmethod
    def resolve_work(followup) -> str:
        return str(getattr(followup, "label", followup.kind))


# Declared on every route so the OpenAPI document lists what can go wrong.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class BatchRefusedOut(ErrorOut):
    """A batch refused whole: `errors` names every bad item as `items[3].scanned_at`."""

    accepted: int = Field(0, description="always 0: nothing of a refused batch is written")
    replayed: int = Field(0, description="items whose client id was stored before")
    rejected: int = Field(0, description="items with at least one error")


BATCH_ERRORS = {**ERRORS, 422: BatchRefusedOut}


class BatchItemOut(Schema):
    client_id: str
    status: str = Field(description="accepted, or replayed: stored before, nothing changed")


class BatchOut(Schema):
    """The answer to a batch (docs/api-guide.md "Device and lab batches")."""

    accepted: int = Field(description="items this request stored")
    replayed: int = Field(description="items whose client id was stored before: unchanged")
    rejected: int = Field(description="0: a batch with a bad item is refused whole (422)")
    errors: list[FieldError] = Field(description="empty: the errors come with the 422")
    items: list[BatchItemOut] = Field(description="one outcome per item, in the batch's order")


def batch_response(result, **figures) -> HttpResponse:
    """A batch's BatchOut as JSON, written here: checking 5,000 outcomes against the
    schema on the way out cost more than a tenth of the whole request."""
    body = result.body()
    body.update(figures)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


def choices(enum, name: str):
    """`enum` as an API type, described in place under `name`. The OpenAPI document merges
    every operation's definitions by class name, so two models' `Kind` (or `Status`) would
    share one entry and one list of values: a venue advertised with room kinds."""
    values = [member.value for member in enum]
    return Annotated[enum, WithJsonSchema({"title": name, "type": "string", "enum": values})]
