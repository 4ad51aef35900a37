"""/api/v1/referrals: contacts handed to the county that owns them, or outside the city.

A referral is scoped by its receiving region; the sending side reads its own through the
region it was sent from. So a county lists what was sent to it (`direction=incoming`) and
what it sent (`direction=outgoing`); anyone else gets 404. Lists mask ID numbers and
phones; one referral in full, and every export, is audited. See docs/api-guide.md
"Referrals"."""

from datetime import datetime
from typing import Literal

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_files import FileJobOut
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_id_number, mask_phone
from epicommand.core.models import FileJob

from ..models import Case, Degree, Referral
from ..queries import referrals as queries
from ..services import referral_exports
from ..services import referrals as services

router = Router(tags=["Referrals"])

C = Capability
DegreeCode = Literal[tuple(Degree.values)]
StatusCode = Literal[tuple(Referral.Status.values)]
Direction = Literal["incoming", "outgoing", "escalated"]


class ReferralItem(Schema):
    """A list row: ID number and phone masked."""

    id: int
    status: str = Field(description="sent, acknowledged or escalated")
    is_external: bool = Field(description="to outside the city (webhook and export)")
    region_code: str = Field(
        alias="region_id", description="receiving county; the sender's region when external"
    )
    region_name: str = Field(alias="region.name")
    from_region_code: str = Field(alias="from_region_id")
    from_region_name: str = Field(alias="from_region.name")
    destination_code: str
    destination: str
    case_id: int
    contact_id: int | None
    name: str
    masked_id: str
    masked_phone: str
    degree: str
    last_exposure_at: datetime
    sent_at: datetime
    ack_deadline: datetime
    overdue: bool = Field(description="still awaiting acknowledgement past the deadline")
    acknowledged_at: datetime | None
    acknowledged_by: str
    escalated_at: datetime | None
    delivery_attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str

    @staticmethod
    def resolve_masked_id(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_masked_phone(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return queries.is_overdue(obj)


class ReferralOut(ReferralItem):
    """One referral in full (audited)."""

    id_number: str
    phone: str
    address: str
    sent_by: str | None = Field(description="user name of who sent it; null for the platform")

    @staticmethod
    def resolve_sent_by(obj) -> str | None:
        return obj.sent_by.username if obj.sent_by_id else None


class ReferralPage(Schema):
    items: list[ReferralItem]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class ReferralOutsideIn(Schema):
    """A contact of a case who lives outside the city."""

    case_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(max_length=100)
    destination_code: str = Field(
        max_length=12, description="administrative code (GB/T 2260) of where they live"
    )
    degree: DegreeCode
    last_exposure_at: datetime
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)


def _csv_or_json(chunks, content_type: str, filename: str):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@router.get("", response={200: ReferralPage, **ERRORS}, summary="List referrals")
def list_referrals(
    request,
    direction: Direction = "incoming",
    status: StatusCode | None = None,
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """`incoming`: sent to your region from another county; `outgoing`: sent from your
    region (external ones with their delivery state); `escalated`: past the deadline,
    either side (the city office's list). Newest first."""
    require(request.auth, C.VIEW_CASES)
    rows, next_after = queries.referral_page(
        request.auth, direction=direction, status=status or "", after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: ReferralOut, **ERRORS}, summary="Refer outside the city")
def refer_outside(request, payload: ReferralOutsideIn):
    """A contact who lives outside the city. `destination_code` must be a known
    administrative code outside our city (one inside is refused: add the person as a
    contact and their county is referred). Posted to the configured webhook until
    acknowledged. The case must be in your jurisdiction (else 404)."""
    require(request.auth, C.INVESTIGATE)
    case = get_object_or_404(Case.objects.visible_to(request.auth), pk=payload.case_id)
    data = payload.dict(exclude={"case_id"})
    referral = services.refer_outside(request.auth, case, **data)
    return Status(201, queries.visible_referral(request.auth, referral.pk))


@router.get(
    "/export.csv",
    response={200: None, 202: FileJobOut, **ERRORS},
    summary="Export outgoing external referrals as CSV",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def export_csv(request, status: StatusCode | None = None):
    """Every referral your region sent outside the city, unmasked, for the receiving
    authority. Audited. Above the policy's `export_inline_rows`, `202` with a background
    file job, as the person export answers."""
    require(request.auth, C.HANDLE_REFERRALS)
    chunks = referral_exports.export_csv(request.auth, status=status or "")
    if isinstance(chunks, FileJob):
        return Status(202, chunks)
    return _csv_or_json(chunks, "text/csv; charset=utf-8", "referrals.csv")


@router.get(
    "/export.json",
    response={200: None, 202: FileJobOut, **ERRORS},
    summary="Export outgoing external referrals as JSON",
    openapi_extra={"responses": {200: {"content": {"application/json": {}}}}},
)
def export_json(request, status: StatusCode | None = None):
    """The same rows as the CSV, as a JSON array of objects. Audited."""
    require(request.auth, C.HANDLE_REFERRALS)
    chunks = referral_exports.export_json(request.auth, status=status or "")
    if isinstance(chunks, FileJob):
        return Status(202, chunks)
    return _csv_or_json(chunks, "application/json", "referrals.json")


@router.get("/{referral_id}", response={200: ReferralOut, **ERRORS}, summary="One referral")
def get_referral(request, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    """A referral your region received or sent, in full. Audited."""
    require(request.auth, C.VIEW_CASES)
    referral = queries.visible_referral(request.auth, referral_id)
    services.note_referral_viewed(request.auth, referral, channel="api")
    return referral


@router.post(
    "/{referral_id}/acknowledge",
    response={200: ReferralOut, **ERRORS},
    summary="Acknowledge a referral",
)
def acknowledge(request, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    """The receiving county takes the contact over (for one outside the city, the sender
    records the outside authority's answer). The sender of an in-city referral gets 403;
    an acknowledged one again, 422 naming `status`."""
    require(request.auth, C.HANDLE_REFERRALS)
    referral = queries.visible_referral(request.auth, referral_id)
    services.acknowledge(request.auth, referral)
    return queries.visible_referral(request.auth, referral_id)
