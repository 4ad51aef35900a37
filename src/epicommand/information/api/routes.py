"""The information routes: thin over the services. A bulletin is the city's, so any
caller holding information.view reads it; a rumour outside the caller's jurisdiction is
404. Signing and publishing are a person's acts (a token gets 403). Refusals name the
field (422)."""

from datetime import date, datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID

from .. import queries
from ..models import Bulletin, Rumour
from ..services import bulletins, rumours

router = Router(tags=["information"])
ID = Path(..., ge=1, le=MAX_ID)
AFTER = Query(None, ge=1, le=MAX_ID, description="the last id of the page before")


class BulletinOut(Schema):
    id: int
    day: date
    version: int
    status: str
    correction_reason: str
    mismatches: list[dict] = Field(description="the sums that do not hold; empty to sign")
    signed_stages: list[str]
    drafted_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_signed_stages(obj) -> list[str]:
        return [s.stage for s in obj.signatures.all()]


class BulletinDetailOut(BulletinOut):
    figures: dict = Field(description="city, counties, villages, severity, risk_changes, checks")


class DraftIn(Schema):
    day: date


class CorrectionIn(Schema):
    reason: str = Field(max_length=500)


class SignIn(Schema):
    stage: str = Field(max_length=20)


class RumourIn(Schema):
    claim: str = Field(max_length=2000)
    where_seen: str = Field(max_length=200)
    region_code: str = Field(max_length=12)
    seen_on: date | None = None


class RulingIn(Schema):
    status: str = Field(max_length=12, description="false, true or unverifiable")
    ruling: str = Field(max_length=2000)
    refutation: str = Field("", max_length=4000)


class RumourOut(Schema):
    id: int
    claim: str
    where_seen: str
    seen_on: date | None
    region_code: str = Field(alias="region_id")
    source: str
    status: str
    reported_at: datetime
    ruling: str
    refutation: str
    refuted_at: datetime | None
    referral: str


def _bulletin(request, bulletin_id: int) -> Bulletin:
    require(request.auth, Capability.VIEW_INFORMATION)
    return get_object_or_404(Bulletin.objects.prefetch_related("signatures"), pk=bulletin_id)


@router.get("/bulletins", response={200: list[BulletinOut], **ERRORS}, summary="Bulletins")
def list_bulletins(request):
    require(request.auth, Capability.VIEW_INFORMATION)
    return Bulletin.objects.prefetch_related("signatures").order_by("-day", "-version")[:50]


@router.get("/bulletins/{bulletin_id}", response={200: BulletinDetailOut, **ERRORS})
def get_bulletin(request, bulletin_id: int = ID):
    return _bulletin(request, bulletin_id)


@router.post("/bulletins", response={201: BulletinDetailOut, **ERRORS}, summary="Draft a day")
def draft(request, payload: DraftIn):
    return Status(201, bulletins.draft_bulletin(request.auth, payload.day))


@router.post("/bulletins/{bulletin_id}/corrections", response={201: BulletinDetailOut, **ERRORS})
def correct(request, payload: CorrectionIn, bulletin_id: int = ID):
    bulletin = _bulletin(request, bulletin_id)
    corrected = bulletins.correct_bulletin(request.auth, bulletin.day, reason=payload.reason)
    return Status(201, corrected)


@router.post("/bulletins/{bulletin_id}/signatures", response={200: BulletinOut, **ERRORS})
def sign(request, payload: SignIn, bulletin_id: int = ID):
    bulletin = _bulletin(request, bulletin_id)
    bulletins.sign(request.auth, bulletin, payload.stage)
    return _bulletin(request, bulletin_id)


@router.post("/bulletins/{bulletin_id}/publish", response={200: BulletinOut, **ERRORS})
def publish(request, bulletin_id: int = ID):
    bulletins.publish(request.auth, _bulletin(request, bulletin_id))
    return _bulletin(request, bulletin_id)


@router.get("/rumours", response={200: list[RumourOut], **ERRORS}, summary="Rumour queue")
def list_rumours(request, status: str = Query("", max_length=12), after: int | None = AFTER):
    require(request.auth, Capability.VIEW_INFORMATION)
    return queries.rumour_page(request.auth, status=status, after=after)


@router.post("/rumours", response={201: RumourOut, **ERRORS}, summary="Report (monitoring)")
def report(request, payload: RumourIn):
    return Status(201, rumours.report_by_staff(request.auth, **payload.dict()))


def _rumour(request, rumour_id: int) -> Rumour:
    require(request.auth, Capability.VIEW_INFORMATION)
    found = queries.visible_rumour(request.auth, rumour_id)
    if found is None:
        raise Http404
    return found


@router.get("/rumours/{rumour_id}", response={200: RumourOut, **ERRORS})
def get_rumour(request, rumour_id: int = ID):
    return _rumour(request, rumour_id)


@router.post("/rumours/{rumour_id}/ruling", response={200: RumourOut, **ERRORS})
def rule(request, payload: RulingIn, rumour_id: int = ID):
    return rumours.rule(request.auth, _rumour(request, rumour_id), **payload.dict())
