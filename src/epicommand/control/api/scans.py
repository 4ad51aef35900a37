"""/api/v1/scans: devices post batches of place-code scans; staff read the scans of the
persons in their jurisdiction. See docs/api-guide.md "Place-code scans"."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import WithJsonSchema

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import BATCH_ERRORS, ERRORS, BatchOut, batch_response
from epicommand.core.keyset import MAX_ID
from epicommand.people.models import Person

from ..queries.scans import MAX_PAGE, PAGE_SIZE, ScanFilter, scan_page
from ..services import scans as services

router = Router(tags=["scans"])

SINCE = Query(None, description="scanned at or after (without an offset: Asia/Shanghai time)")
UNTIL = Query(None, description="scanned before")


class ScanItemIn(Schema):
    """One scan. Identify the person by exactly one of `id_number`, `passport_number`
    (with `nationality` where two countries issued the same number) or `health_code`."""

    client_id: str = Field(
        description="The device's own id for this scan, 1 to 64 characters, unique across "
        "everything it sends: a retried batch with the same ids adds nothing."
    )
    place_code: str = Field(description="The venue's place code, as read from its poster.")
    id_number: str | None = Field(None, description="National ID number (18 characters).")
    passport_number: str | None = None
    nationality: str | None = Field(None, description="ISO 3166 three-letter code.")
    health_code: str | None = Field(
        None, description="The health-code QR token the person showed (HC1:...)."
    )
    scanned_at: datetime = Field(
        description="When the person scanned: ISO 8601; without an offset it is Asia/Shanghai "
        "time. Refused more than 5 minutes ahead of the platform's clock or over 30 days ago."
    )
    method: Literal["device", "staff", "self"] = Field(
        "device", description="a scanning device, venue staff, or the resident's own phone"
    )


# The items reach core.intake as the client sent them, so that every error of a batch
# reads `items[3].scanned_at` alike and the whole batch is checked in one pass, not stopped
# at the first type error. The document still describes each item.
ITEMS_SCHEMA = {
    "type": "array",
    "maxItems": services.MAX_BATCH,
    "items": ScanItemIn.model_json_schema(),
    "description": f"1 to {services.MAX_BATCH:,} scans",
}


class ScanBatchIn(Schema):
    items: Annotated[list[Any], WithJsonSchema(ITEMS_SCHEMA)]


class ScanOut(Schema):
    """A scan with the person's ID number masked."""

    id: int
    client_id: str
    person_id: int
    person_name: str = Field(alias="person.name")
    masked_id: str = Field(alias="person.masked_id")
    venue_id: int
    venue_name: str = Field(alias="venue.name")
    region_code: str = Field(alias="region_id", description="the person's region of residence")
    scanned_at: datetime
    colour: str = Field(description="the colour the person's code showed: green, yellow, red")
    method: str
    recorded_at: datetime


class ScanPage(Schema):
    items: list[ScanOut]
    next_after: str | None = Field(
        description="Opaque cursor: pass it as `after` to get the next page; null on the last."
    )


@router.post(
    "/batch",
    response={200: BatchOut, **BATCH_ERRORS},
    summary="Record a batch of place-code scans",
)
def record_batch(request, payload: ScanBatchIn):
    """Up to 5,000 scans, by the contract of docs/api-guide.md "Device and lab batches":
    if any item is wrong nothing is recorded and the 422 answer lists every error as
    `items[3].place_code`; items whose client id is stored already are `replayed`. Persons
    from any district may be scanned; each scan is filed under their region of residence."""
    require(request.auth, Capability.RECORD_SCANS)
    return batch_response(services.record_scans(request.auth, payload.items))


@router.get("", response={200: ScanPage, **ERRORS}, summary="Scans of persons in your scope")
def list_scans(
    request,
    person_id: int | None = Query(None, ge=1, le=MAX_ID, description="one person's scans"),
    venue_id: int | None = Query(None, ge=1, le=MAX_ID, description="scans at one venue"),
    since: datetime | None = SINCE,
    until: datetime | None = UNTIL,
    after: str | None = Query(None, max_length=40, pattern=r"^[0-9-]+$"),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
):
    """Scans of the persons in your jurisdiction, wherever they were made. A person's or
    a venue's scans come newest scan first; any other list newest recorded first. Asking
    for one person's scans is audited; a person outside your jurisdiction is 404."""
    require(request.auth, Capability.VIEW_SCANS)
    if person_id is not None:
        person = get_object_or_404(Person.objects.visible_to(request.auth), pk=person_id)
        services.note_scans_viewed(request.auth, person, channel="api")
    filters = ScanFilter(
        person_id=person_id,
        venue_id=venue_id,
        since=_utc(since, "since"),
        until=_utc(until, "until"),
    )
    rows, next_after = scan_page(request.auth, filters, after=after, limit=limit)
    return {"items": rows, "next_after": next_after}


def _utc(value: datetime | None, field: str) -> datetime | None:
    """The time in UTC (without an offset: Asia/Shanghai, the platform's time). In UTC,
    because PostgreSQL refuses offsets past 15:59 that ISO 8601 allows."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationError({field: [_("this time is out of range")]}) from None
