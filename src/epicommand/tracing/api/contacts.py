"""/api/v1/contacts: contacts of cases and the co-presence candidates they are confirmed
from. A contact is scoped by the contacted person's region: another district's contact is
404 on every route. Candidates are read through their case (404 when the case is out of
scope). Lists mask ID numbers and phones and flag contacts past their control deadline;
one contact's detail shows the person in full and is audited. Reading needs VIEW_CASES,
every change INVESTIGATE over the case's region."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core import audit
from epicommand.core.access import Capability, covers, require
from epicommand.core.api_schemas import ERRORS, region_filter
from epicommand.core.keyset import MAX_ID
from epicommand.people import lookup
from epicommand.people.models import Person
from epicommand.places.models import Venue

from ..models import Contact, Degree, FoundBy, Setting
from ..queries import contacts as queries
from ..services import contacts as services

router = Router(tags=["Contacts"])

C = Capability
ID = Path(..., ge=1, le=MAX_ID)
TIME = "ISO 8601; without an offset it is Asia/Shanghai time"
DegreeCode = Literal[tuple(Degree.values)]
SettingCode = Literal[tuple(Setting.values)]
FoundByCode = Literal[tuple(FoundBy.values)]
StatusCode = Literal[tuple(Contact.Status.values)]


class ContactItem(Schema):
    """A contact as lists show it: the person's ID number and phone masked."""

    id: int
    case_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    masked_id: str = Field(alias="person.masked_id")
    masked_phone: str = Field(alias="person.masked_phone")
    region_code: str = Field(alias="region_id", description="the contact's region of residence")
    source_contact_id: int | None = Field(description="for a secondary contact: through whom")
    degree: str = Field(description="close, secondary or general")
    setting: str
    found_by: str
    last_exposure_at: datetime
    venue_id: int | None
    status: str = Field(description="identified, notified, controlled or released")
    identified_at: datetime
    control_deadline: datetime = Field(description="to be under control by then")
    overdue: bool = Field(description="not under control and past the deadline")
    notified_at: datetime | None
    controlled_at: datetime | None
    released_at: datetime | None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return services.is_overdue(obj)


class ContactOut(ContactItem):
    """One contact in full (audited). A contact you named who lives outside your
    jurisdiction is answered masked: ID number and phone masked, no address."""

    id_number: str = Field(description="full ID or passport number (masked outside your scope)")
    phone: str = Field(description="masked outside your scope")
    address: str = Field(description="empty outside your scope")
    note: str

    @staticmethod
    def resolve_id_number(obj, context) -> str:
        if _outside(obj, context):
            return obj.person.masked_id
        return obj.person.id_number or obj.person.passport_number

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return obj.person.masked_phone if _outside(obj, context) else obj.person.phone

    @staticmethod
    def resolve_address(obj, context) -> str:
        return "" if _outside(obj, context) else obj.person.address


def _outside(contact: Contact, context) -> bool:
    """Whether the contact's person lives outside the caller's jurisdiction."""
    return not covers(context["request"].auth, contact.person.region_id)


class ContactPage(Schema):
    items: list[ContactItem]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null on the last."
    )


class ContactIn(Schema):
    case_id: int = Field(ge=1, le=MAX_ID)
    person_id: int | None = Field(None, ge=1, le=MAX_ID, description="or give id_number")
    id_number: str | None = Field(None, max_length=20, description="ID or passport number")
    degree: DegreeCode
    setting: SettingCode
    last_exposure_at: datetime = Field(description=TIME)
    found_by: FoundByCode = FoundBy.INTERVIEW
    source_contact_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="for a secondary contact: the close contact"
    )
    venue_id: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=300)


class ContactStatusIn(Schema):
    status: Literal["notified", "controlled", "released"]
    at: datetime | None = Field(None, description=TIME + "; now if omitted")


class CandidateOut(Schema):
    id: int
    case_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    masked_id: str = Field(alias="person.masked_id")
    region_code: str = Field(alias="region_id")
    overlap_minutes: int = Field(description="summed over the shared visits")
    visits: int = Field(description="the case's visits the person overlapped")
    venue_id: int = Field(description="where they overlapped longest")
    venue_name: str = Field(alias="venue.name")
    last_overlap_at: datetime
    status: str = Field(description="pending, confirmed or dismissed")
    contact_id: int | None
    found_at: datetime


class CandidateConfirmIn(Schema):
    degree: Literal["close", "general"]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _person(who, payload: ContactIn) -> Person:
    """Any person of the city may be a contact (one outside the caller's scope is referred
    to their county); an unknown one is refused naming the field."""
    # Outside jurisdiction: a contact is named wherever they live and referred to their
    # county (audited; ContactOut masks a person outside the caller's scope), by record id
    # or by document alike.
    naming = lookup.Purpose.CONTACT_NAMING
    if payload.person_id is not None:
        person = lookup.find_by_id_outside_jurisdiction(who, payload.person_id, purpose=naming)
        field = "person_id"
    elif payload.id_number:
        person = lookup.find_outside_jurisdiction(who, payload.id_number, purpose=naming)
        field = "id_number"
    else:
        raise ValidationError({"person_id": _("give person_id or id_number")})
    if person is None:
        raise ValidationError({field: _("no such person is registered")})
    return person


@router.get("/candidates", response={200: list[CandidateOut], **ERRORS}, summary="Candidates")
def list_candidates(
    request,
    case: int = Query(..., ge=1, le=MAX_ID),
    status: Literal["pending", "confirmed", "dismissed"] = "pending",
):
    """A case's co-presence candidates, longest overlap first (at most 200)."""
    require(request.auth, C.VIEW_CASES)
    return queries.case_candidates(queries.visible_case(request.auth, case), status=status)


@router.post(
    "/candidates/{candidate_id}/confirm",
    response={201: ContactOut, **ERRORS},
    summary="Confirm a candidate as a contact",
)
def confirm_candidate(request, payload: CandidateConfirmIn, candidate_id: int = ID):
    """Makes a close or general contact found by co-presence at the candidate's venue."""
    require(request.auth, C.INVESTIGATE)
    candidate = queries.visible_candidate(request.auth, candidate_id)
    contact = services.confirm_candidate(request.auth, candidate, degree=payload.degree)
    return Status(201, _stored(contact))


@router.post(
    "/candidates/{candidate_id}/dismiss",
    response={200: CandidateOut, **ERRORS},
    summary="Dismiss a candidate",
)
def dismiss_candidate(request, candidate_id: int = ID):
    require(request.auth, C.INVESTIGATE)
    candidate = queries.visible_candidate(request.auth, candidate_id)
    services.dismiss_candidate(request.auth, candidate)
    return queries.visible_candidate(request.auth, candidate_id)


def _stored(contact: Contact) -> Contact:
    """The contact as stored: the caller just named the person, so a contact outside their
    scope (now referred to its county) is shown this once, masked."""
    return Contact.objects.select_related(*queries.CONTACT_RELATED).get(pk=contact.pk)


@router.get("", response={200: ContactPage, **ERRORS}, summary="List contacts")
def list_contacts(
    request,
    case: int | None = Query(None, ge=1, le=MAX_ID),
    degree: DegreeCode | None = None,
    status: StatusCode | None = None,
    overdue: bool = Query(False, description="only those past their control deadline"),
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page"),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=500),
):
    """Contacts living in your jurisdiction, newest first."""
    require(request.auth, C.VIEW_CASES)
    rows, next_after = queries.contact_page(
        request.auth,
        case_id=case,
        degree=degree or "",
        status=status or "",
        overdue=overdue,
        region=region or "",
        after=after,
        limit=limit,
    )
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: ContactOut, **ERRORS}, summary="Add a contact")
def add_contact(request, payload: ContactIn):
    """A contact from the interview (or any other finding). The case must be in your
    jurisdiction (else 404); the person is named by `person_id` or `id_number`. A second
    finding of the same person for the case updates the one contact."""
    require(request.auth, C.INVESTIGATE)
    case = queries.visible_case(request.auth, payload.case_id)
    person = _person(request.auth, payload)
    source = None
    if payload.source_contact_id is not None:
        source = get_object_or_404(Contact.objects.filter(case=case), pk=payload.source_contact_id)
    venue = get_object_or_404(Venue, pk=payload.venue_id) if payload.venue_id else None
    contact = services.add_contact(
        request.auth,
        case,
        person,
        degree=payload.degree,
        setting=payload.setting,
        last_exposure_at=_aware(payload.last_exposure_at),
        found_by=payload.found_by,
        source_contact=source,
        venue=venue,
        note=payload.note,
    )
    return Status(201, _stored(contact))


@router.get("/{contact_id}", response={200: ContactOut, **ERRORS}, summary="One contact")
def get_contact(request, contact_id: int = ID):
    """The contact in full. Audited."""
    require(request.auth, C.VIEW_CASES)
    contact = queries.visible_contact(request.auth, contact_id)
    audit.record(request.auth, "contact.view", contact, reason="api")
    return contact


@router.post(
    "/{contact_id}/status", response={200: ContactOut, **ERRORS}, summary="Move a contact on"
)
def set_status(request, payload: ContactStatusIn, contact_id: int = ID):
    """identified → notified → controlled → released; a step may be skipped, never undone."""
    require(request.auth, C.INVESTIGATE)
    contact = queries.visible_contact(request.auth, contact_id)
    services.set_status(request.auth, contact, payload.status, at=_aware(payload.at))
    return queries.visible_contact(request.auth, contact_id)
