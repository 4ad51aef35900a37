"""Routine prevention's routes: thin over the services; another county's unit is 404;
refusals name the field (422)."""

import json
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Path, Router, Schema, Status, UploadedFile

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name

from .. import queries
from ..models import PreventionUnit
from ..services import disinfection, inspections, staff, units

router = Router(tags=["prevention"])
ID = Path(..., ge=1, le=MAX_ID)
RESULTS = Form(..., description="JSON object {item code: passed}, every item")
NOTE = Form("", max_length=500)
PHOTOS = File(None, description="JPEG or PNG; each named after its item (masks.jpg, masks-2.jpg)")


class UnitIn(Schema):
    name: str = Field(max_length=150)
    category: str = Field(max_length=32, description="a category code of the policy")
    venue_id: int | None = Field(None, ge=1, le=MAX_ID, description="the unit's place, if any")
    region_code: str = Field("", max_length=12, description="when the unit is no place")
    responsible_name: str = Field(max_length=60)
    responsible_phone: str = Field(max_length=20)


class PreventionUnitOut(Schema):
    id: int
    name: str
    category: str
    region_code: str = Field(alias="region_id")
    venue_id: int | None
    responsible_name: str
    score: int | None
    last_inspected_at: datetime | None
    next_due_at: datetime
    open_rectifications: int


class InspectionOut(Schema):
    id: int
    unit_id: int
    inspected_at: datetime
    risk_level: str
    score: int
    failed: int
    items: list[dict]


class RectificationOut(Schema):
    id: int
    unit_id: int
    unit: str = Field(alias="unit.name")
    items: list[str]
    responsible_name: str
    opened_at: datetime
    deadline: datetime
    status: str
    escalated_at: datetime | None
    closed_at: datetime | None


class DisinfectionIn(Schema):
    kind: Literal["place", "route"]
    venue_id: int | None = Field(None, ge=1, le=MAX_ID)
    region_code: str = Field("", max_length=12)
    target: str = Field("", max_length=200, description="the place or route (a place's name)")
    agent: str = Field(max_length=100, description="the disinfectant used")
    done_at: datetime | None = Field(None, description="now if omitted")
    note: str = Field("", max_length=500)


class DisinfectionOut(Schema):
    id: int
    kind: str
    region_code: str = Field(alias="region_id")
    target: str
    agent: str
    done_at: datetime


class DisinfectionTaskOut(Schema):
    id: int
    case_id: int
    region_code: str = Field(alias="region_id")
    target: str
    assignee: str = Field(alias="assignee.name")
    raised_at: datetime
    deadline: datetime
    status: str


class StaffIn(Schema):
    unit_id: int = Field(ge=1, le=MAX_ID)
    document: str = Field(max_length=40, description="ID card or passport number")
    position: str = Field(max_length=32, description="a key position code of the policy")


class StaffOut(Schema):
    id: int
    unit_id: int
    position: str
    name: str = Field(description="masked")
    next_due_at: datetime
    last_tested_at: datetime | None
    listed_at: datetime | None
    overdue_since: datetime | None

    @staticmethod
    def resolve_name(obj) -> str:
        return mask_name(obj.person.name)


def _unit(who, unit_id: int) -> PreventionUnit:
    require(who, Capability.VIEW_PREVENTION)
    return get_object_or_404(PreventionUnit.objects.visible_to(who), pk=unit_id)


def _aware(at: datetime | None) -> datetime | None:
    return timezone.make_aware(at) if at is not None and timezone.is_naive(at) else at


@router.get("/units", response={200: list[PreventionUnitOut], **ERRORS}, summary="List units")
def list_units(
    request, after: int | None = None, category: str = "", due: bool = False, region: str = ""
):
    """Your units, the soonest due first, 50 a page; `after`: the last id of a page."""
    require(request.auth, Capability.VIEW_PREVENTION)
    return queries.unit_page(request.auth, after=after, category=category, due=due, region=region)


@router.post("/units", response={201: PreventionUnitOut, **ERRORS}, summary="Register a unit")
def register_unit(request, payload: UnitIn):
    return Status(201, units.register_unit(request.auth, **payload.dict()))


@router.get("/units/{unit_id}", response={200: PreventionUnitOut, **ERRORS}, summary="One unit")
def get_unit(request, unit_id: int = ID):
    return _unit(request.auth, unit_id)


@router.get(
    "/units/{unit_id}/inspections",
    response={200: list[InspectionOut], **ERRORS},
    summary="A unit's history",
)
def unit_inspections(request, unit_id: int = ID):
    """The unit's latest inspections, newest first."""
    return queries.unit_history(_unit(request.auth, unit_id))


@router.post(
    "/units/{unit_id}/inspections",
    response={201: InspectionOut, **ERRORS},
    summary="Inspect a unit",
)
def inspect_unit(
    request,
    unit_id: int = ID,
    results: str = RESULTS,
    note: str = NOTE,
    photos: list[UploadedFile] = PHOTOS,
):
    """multipart/form-data, from a person's account. A failed item needs a photo; a photo
    that is not an image by its content is refused as `photos.<item>`; nothing is stored."""
    unit = _unit(request.auth, unit_id)
    try:
        answers = json.loads(results)
    except ValueError:
        answers = None
    if not isinstance(answers, dict):
        raise ValidationError({"results": "a JSON object {item code: true or false}"})
    by_item: dict[str, list] = {}
    for upload in photos or []:
        code = (upload.name or "").rsplit(".", 1)[0].split("-", 1)[0]
        by_item.setdefault(code, []).append(upload)
    return Status(
        201,
        inspections.inspect_unit(request.auth, unit, results=answers, photos=by_item, note=note),
    )


@router.get(
    "/rectifications", response={200: list[RectificationOut], **ERRORS}, summary="Rectifications"
)
def list_rectifications(
    request,
    after: int | None = None,
    status: Literal["open", "closed", ""] = "open",
    overdue: bool = False,
):
    """Your rectifications, the nearest deadline first, 50 a page."""
    require(request.auth, Capability.VIEW_PREVENTION)
    return queries.rectification_board(request.auth, after=after, status=status, overdue=overdue)


@router.post(
    "/disinfections", response={201: DisinfectionOut, **ERRORS}, summary="Record a disinfection"
)
def record_disinfection(request, payload: DisinfectionIn):
    data = payload.dict()
    data["done_at"] = _aware(data["done_at"])
    return Status(201, disinfection.record_disinfection(request.auth, **data))


@router.get(
    "/disinfection-tasks",
    response={200: list[DisinfectionTaskOut], **ERRORS},
    summary="Terminal disinfection tasks",
)
def list_disinfection_tasks(
    request, after: int | None = None, status: Literal["open", "done", ""] = "open"
):
    require(request.auth, Capability.VIEW_PREVENTION)
    return queries.disinfection_tasks(request.auth, after=after, status=status)


@router.get("/key-staff", response={200: list[StaffOut], **ERRORS}, summary="Key staff")
def list_staff(request, after: int | None = None, overdue: bool = False, unit_id: int = 0):
    """Staff in key positions of your units, the soonest due first, names masked."""
    require(request.auth, Capability.VIEW_PREVENTION)
    return queries.staff_page(request.auth, after=after, overdue=overdue, unit_id=unit_id)


@router.post("/key-staff", response={201: StaffOut, **ERRORS}, summary="Register key staff")
def register_staff(request, payload: StaffIn):
    """A person (by document, in your jurisdiction) in a key position at a unit."""
    unit = _unit(request.auth, payload.unit_id)
    made = staff.register_staff(
        request.auth, unit, document=payload.document, position=payload.position
    )
    return Status(201, made)
